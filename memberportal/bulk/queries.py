"""Reading uploads and their rows; members found by what a file typed, in few queries."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, or_, select

from memberportal.accounts.rules import canonical_phone
from memberportal.bulk.models import PENDING, BulkRow, BulkUpload
from memberportal.extensions import db
from memberportal.members.models import Member

CHUNK = 500  # IN lists stay well under every engine's limit on bound parameters


def members_by_code(codes: set[str]) -> dict[str, tuple[int, int]]:
    """{typed code: (member id, points balance)} for member numbers and phones (any spelling
    of a mobile number); codes that match nobody are absent."""
    phones = {code: canonical_phone(code) for code in codes}
    found: dict[str, tuple[int, int]] = {}
    code_list = sorted(codes)
    for start in range(0, len(code_list), CHUNK):
        chunk = code_list[start : start + CHUNK]
        chunk_phones = {phones[c] for c in chunk if phones[c]}
        query = select(Member.id, Member.member_no, Member.phone, Member.points_balance).where(
            or_(Member.member_no.in_(chunk), Member.phone.in_(chunk_phones))
        )
        by_no, by_phone = {}, {}
        for member_id, member_no, phone, balance in db.session.execute(query):
            by_no[member_no] = by_phone[phone] = (member_id, balance)
        for code in chunk:
            match = by_no.get(code) or by_phone.get(phones[code])
            if match:
                found[code] = match
    return found


def upload_or_none(kind: str, upload_id: int) -> BulkUpload | None:
    upload = db.session.get(BulkUpload, upload_id)
    return upload if upload is not None and upload.kind == kind else None


def recent_uploads(kind: str, limit: int = 20) -> list[BulkUpload]:
    return list(
        db.session.scalars(
            select(BulkUpload)
            .where(BulkUpload.kind == kind)
            .order_by(BulkUpload.id.desc())
            .limit(limit)
        )
    )


def counts(upload_id: int, column: str) -> dict[str, int]:
    """How many rows have each outcome (`column="outcome"`) or result ("result")."""
    col = getattr(BulkRow, column)
    query = select(col, func.count()).where(BulkRow.upload_id == upload_id).group_by(col)
    return {key: n for key, n in db.session.execute(query)}


def pending_rows(upload_id: int, limit: int) -> list[BulkRow]:
    return list(
        db.session.scalars(
            select(BulkRow)
            .where(BulkRow.upload_id == upload_id, BulkRow.result == PENDING)
            .order_by(BulkRow.line_no)
            .limit(limit)
        )
    )


def rows_page(upload_id: int, limit: int = 300) -> list[tuple[BulkRow, str | None]]:
    """The first rows with a problem, then the rest, in line order, with member numbers."""
    query = (
        select(BulkRow, Member.member_no)
        .outerjoin(Member, Member.id == BulkRow.member_id)
        .where(BulkRow.upload_id == upload_id)
        .order_by((BulkRow.outcome == "ok").asc(), BulkRow.line_no)
        .limit(limit)
    )
    return [(row, member_no) for row, member_no in db.session.execute(query)]


def stream_rows(upload_id: int, batch: int = 1000) -> Iterator[tuple[BulkRow, str | None]]:
    """Every row in line order through a server-side cursor (yield_per), for the report."""
    query = (
        select(BulkRow, Member.member_no)
        .outerjoin(Member, Member.id == BulkRow.member_id)
        .where(BulkRow.upload_id == upload_id)
        .order_by(BulkRow.line_no)
        .execution_options(yield_per=batch)
    )
    for row, member_no in db.session.execute(query):
        yield row, member_no
        db.session.expunge(row)


def existing_contacts(contacts: set[str]) -> set[str]:
    """Which of these canonical phones and emails already belong to a member."""
    found: set[str] = set()
    items = sorted(c for c in contacts if c)
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        query = select(Member.phone, Member.email).where(
            or_(Member.phone.in_(chunk), Member.email.in_(chunk))
        )
        for phone, email in db.session.execute(query):
            found.update(c for c in (phone, email) if c in chunk)
    return found
