"""Bulk use cases: upload (with its preview), confirm or cancel, run a step, finish.

A file is taken once per kind (UNIQUE sha256, freed only by cancelling its preview). The run
goes a step at a time (the progress page asks for the next one), each step one transaction;
each row is claimed with a conditional UPDATE before it is applied, so two steps running at
once never apply a row twice, and every points row goes through points.services.adjust_points,
the one staff adjustment path (its approval threshold, ledger and audit included).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update

from memberportal.accounts.models import StaffUser
from memberportal.accounts.rules import InvalidContact, normalise_contact
from memberportal.audit import services as audit
from memberportal.bulk import queries, rules
from memberportal.bulk.models import (
    APPLIED,
    APPROVAL,
    CANCELLED,
    DONE,
    DUPLICATE,
    FAILED,
    INVALID,
    MEMBERS,
    OK,
    PENDING,
    POINTS,
    PREVIEWED,
    REQUESTED,
    RUNNING,
    SKIPPED,
    BulkRow,
    BulkUpload,
)
from memberportal.core.csvio import read_upload
from memberportal.core.db import insert_once_statement, use_case
from memberportal.core.errors import AlreadyExists, DomainError, NotFound, ValidationFailed
from memberportal.extensions import db
from memberportal.members import services as members
from memberportal.points import services as points
from memberportal.points.models import AdjustmentRequest
from memberportal.tiers import services as tiers

uploads = BulkUpload.__table__
rows_table = BulkRow.__table__
STEP = 50  # rows per step: a step answers well within a second, so progress moves visibly


class AlreadyUploaded(AlreadyExists):
    code = "already_uploaded"
    default_message = _l(
        "This file was already uploaded (upload %(id)s): the same file twice is refused."
    )

    def __init__(self, earlier_id: int):
        super().__init__(_l(
            "This file was already uploaded (upload %(id)s): the same file twice is refused.",
            id=earlier_id,
        ), earlier_id=earlier_id)  # fmt: skip


class UnreadableFile(ValidationFailed):
    code = "unreadable_file"
    default_message = _l(
        "This is not a CSV file we can read. Save it as CSV (UTF-8) and try again."
    )


class EmptyFile(ValidationFailed):
    code = "empty_file"
    default_message = _l("The file has no rows.")


class TooManyRows(ValidationFailed):
    code = "too_many_rows"
    default_message = _l(
        "At most %(n)s rows per file: split it and upload the parts.", n=rules.MAX_ROWS
    )


class NotPreviewed(DomainError):
    code = "not_previewed"
    status = 409
    default_message = _l("This upload was already confirmed or cancelled.")


def _parse(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        lines = read_upload(data)
    except ValueError:
        raise UnreadableFile() from None
    if not lines:
        raise EmptyFile()
    if len(lines) > rules.MAX_ROWS + 1:
        raise TooManyRows()
    return lines


def _create_upload(kind: str, filename: str, data: bytes, *, actor, now: datetime) -> int:
    """The upload's row, or AlreadyUploaded when this kind already holds these bytes. On
    PostgreSQL a concurrent upload of the same file waits for the first and then finds it."""
    digest = hashlib.sha256(data).hexdigest()
    inserted = db.session.execute(
        insert_once_statement(
            uploads, returning=(uploads.c.id,),
            values=dict(kind=kind, sha256=digest, filename=(filename or "upload.csv")[:200],
                        status=PREVIEWED, total_rows=0, uploaded_by=actor.actor_id,
                        uploaded_at=now),
        )
    ).scalar()  # fmt: skip
    if inserted is None:
        earlier = db.session.scalar(
            select(uploads.c.id).where(uploads.c.kind == kind, uploads.c.sha256 == digest)
        )
        raise AlreadyUploaded(earlier)
    return inserted


@use_case
def upload_points(filename: str, data: bytes, *, actor, now: datetime) -> BulkUpload:
    """Take a CSV of "member number or phone, points, reason" and store its preview: each
    line's expected outcome (invalid, unknown member, would go negative, needs approval, ok;
    balances move line by line). Nothing reaches the ledger. Raises AlreadyUploaded,
    UnreadableFile, EmptyFile, TooManyRows. Audited once for the file."""
    lines = rules.points_lines(_parse(data))
    if not lines:
        raise EmptyFile()
    upload_id = _create_upload(POINTS, filename, data, actor=actor, now=now)
    found = queries.members_by_code({line.member for line in lines if not line.problem})
    members = {code: member_id for code, (member_id, _b) in found.items()}
    balances = dict(found.values())
    threshold = points.program_rules().approval_threshold_points
    outcomes = rules.running_outcomes(
        lines, balances, members, threshold if actor.actor_kind == "staff" else None
    )
    db.session.execute(
        insert(rows_table),
        [
            {"upload_id": upload_id, "line_no": line.line_no, "member_id": members.get(line.member),
             "data": {"member": line.member, "points": line.points, "reason": line.reason},
             "outcome": outcome, "problem": line.problem, "result": PENDING}
            for line, outcome in zip(lines, outcomes, strict=True)
        ],
    )  # fmt: skip
    db.session.execute(
        update(uploads).where(uploads.c.id == upload_id).values(total_rows=len(lines))
    )
    audit.record(
        "bulk.uploaded", actor=actor, subject_type="bulk_upload", subject_id=upload_id,
        kind=POINTS, filename=filename, rows=len(lines),
    )  # fmt: skip
    return db.session.get(BulkUpload, upload_id)


@use_case
def upload_members(filename: str, data: bytes, *, actor, now: datetime) -> BulkUpload:
    """Take a CSV of "name, phone or email, starting growth, starting points" and store its
    preview: invalid lines (with the problem), contacts already members or repeated in the
    file (skipped), starting points above the approval threshold (they become a request),
    ok. Nothing is created yet. Raises AlreadyUploaded, UnreadableFile, EmptyFile,
    TooManyRows. Audited once for the file."""
    lines = rules.member_lines(_parse(data))
    if not lines:
        raise EmptyFile()
    upload_id = _create_upload(MEMBERS, filename, data, actor=actor, now=now)
    contacts, problems = {}, {}
    for line in lines:
        try:
            phone, email = normalise_contact(line.contact)
        except InvalidContact:
            problems[line.line_no] = line.problem or "contact_invalid"
            continue
        key = phone or email
        if line.problem:
            problems[line.line_no] = line.problem
        elif key in contacts.values():
            problems[line.line_no] = "contact_twice"
        contacts[line.line_no] = key
    taken = queries.existing_contacts(set(contacts.values()))
    threshold = points.program_rules().approval_threshold_points
    staff = actor.actor_kind == "staff"
    values = []
    for line in lines:
        problem = problems.get(line.line_no)
        if problem:
            outcome = INVALID
        elif contacts[line.line_no] in taken:
            outcome = DUPLICATE
        elif staff and line.points > threshold:
            outcome = APPROVAL
        else:
            outcome = OK
        values.append({
            "upload_id": upload_id, "line_no": line.line_no, "outcome": outcome,
            "problem": problem, "result": PENDING,
            "data": {"name": line.name, "contact": contacts.get(line.line_no) or line.contact,
                     "growth": line.growth, "points": line.points},
        })  # fmt: skip
    db.session.execute(insert(rows_table), values)
    db.session.execute(
        update(uploads).where(uploads.c.id == upload_id).values(total_rows=len(lines))
    )
    audit.record(
        "bulk.uploaded", actor=actor, subject_type="bulk_upload", subject_id=upload_id,
        kind=MEMBERS, filename=filename, rows=len(lines),
    )  # fmt: skip
    return db.session.get(BulkUpload, upload_id)


@use_case
def confirm(upload_id: int, *, actor, now: datetime) -> BulkUpload:
    """Start the run of a previewed upload (once: a conditional UPDATE), with `actor` as the
    staff member every row is applied for. Raises NotFound, NotPreviewed."""
    _exists(upload_id)
    started = db.session.execute(
        update(uploads)
        .where(uploads.c.id == upload_id, uploads.c.status == PREVIEWED)
        .values(status=RUNNING, confirmed_by=actor.actor_id, confirmed_at=now)
    ).rowcount
    if not started:
        raise NotPreviewed()
    audit.record("bulk.confirmed", actor=actor, subject_type="bulk_upload", subject_id=upload_id)
    return _reloaded(upload_id)


@use_case
def cancel(upload_id: int, *, actor, now: datetime) -> BulkUpload:
    """Drop a previewed upload: nothing was applied, and the same file may be uploaded
    again (its hash is released). Raises NotFound, NotPreviewed."""
    _exists(upload_id)
    cancelled = db.session.execute(
        update(uploads)
        .where(uploads.c.id == upload_id, uploads.c.status == PREVIEWED)
        .values(status=CANCELLED, sha256=None)
    ).rowcount
    if not cancelled:
        raise NotPreviewed()
    audit.record("bulk.cancelled", actor=actor, subject_type="bulk_upload", subject_id=upload_id)
    return _reloaded(upload_id)


@use_case
def run_step(upload_id: int, *, now: datetime, limit: int = STEP) -> BulkUpload:
    """Apply the next `limit` pending rows of a running upload, for the staff member who
    confirmed it; mark it done (audited with the counts) when none is left. Each row is
    claimed by a conditional UPDATE first, so a row is applied once even when two steps run
    at once; a row the ledger refuses is rolled back alone (a savepoint) and marked failed
    with the refusal's code. A previewed, cancelled or finished upload is left as it is."""
    upload = _exists(upload_id)
    if upload.status != RUNNING:
        return upload
    actor = db.session.get(StaffUser, upload.confirmed_by)
    for row in queries.pending_rows(upload_id, limit):
        if _claim(row.id):
            _run_row(upload, row, actor=actor, now=now)
    if not queries.pending_rows(upload_id, 1):
        finished = db.session.execute(
            update(uploads)
            .where(uploads.c.id == upload_id, uploads.c.status == RUNNING)
            .values(status=DONE, finished_at=now)
        ).rowcount
        if finished:
            audit.record(
                "bulk.finished", actor=actor, subject_type="bulk_upload", subject_id=upload_id,
                **queries.counts(upload_id, "result"),
            )  # fmt: skip
    return _reloaded(upload_id)


def _claim(row_id: int) -> bool:
    # FAILED is a placeholder until the row's real result is written in this transaction.
    return bool(
        db.session.execute(
            update(rows_table)
            .where(rows_table.c.id == row_id, rows_table.c.result == PENDING)
            .values(result=FAILED)
        ).rowcount
    )


def _run_row(upload: BulkUpload, row: BulkRow, *, actor, now: datetime) -> None:
    where = {"bulk_upload": upload.id, "line": row.line_no}
    if row.outcome not in (OK, APPROVAL):
        _finish_row(row.id, SKIPPED, error=row.problem or row.outcome)
        audit.record(
            "bulk.row_skipped", actor=actor, subject_type="member" if row.member_id else
            "bulk_upload", subject_id=row.member_id or upload.id, why=row.problem or row.outcome,
            **where,
        )  # fmt: skip
        return
    data = row.data
    if upload.kind == MEMBERS:
        _import_row(upload, row, actor=actor, now=now, where=where)
        return
    try:
        with db.session.begin_nested():
            made = points.adjust_points(
                row.member_id, data["points"], reason=data["reason"], actor=actor, now=now,
                details=where,
            )  # fmt: skip
    except DomainError as error:
        _finish_row(row.id, FAILED, error=error.code)
        audit.record(
            "bulk.row_failed", actor=actor, subject_type="member", subject_id=row.member_id,
            why=error.code, points=data["points"], **where,
        )  # fmt: skip
        return
    requested = isinstance(made, AdjustmentRequest)
    _finish_row(row.id, REQUESTED if requested else APPLIED, ref_id=made.id)


IMPORT_REASON = "Imported starting balance"


def _import_row(upload: BulkUpload, row: BulkRow, *, actor, now: datetime, where: dict) -> None:
    """One imported member: created, then the starting growth (as spend growth, which may
    lift the tier at once) and the starting points through the one staff adjustment path
    (above the approval threshold they wait for a second person, like any grant)."""
    data = row.data
    try:
        with db.session.begin_nested():
            member = members.import_member(data["name"], data["contact"], actor=actor, now=now)
            tiers.add_growth(
                member.id, data["growth"], kind="spend", cause="import",
                source_type="bulk_upload", source_id=upload.id, actor=actor, now=now,
            )  # fmt: skip
            made = None
            if data["points"]:
                made = points.adjust_points(
                    member.id, data["points"], reason=IMPORT_REASON, actor=actor, now=now,
                    details=where,
                )  # fmt: skip
    except DomainError as error:
        _finish_row(row.id, SKIPPED if error.code == "contact_taken" else FAILED, error=error.code)
        audit.record(
            "bulk.row_failed", actor=actor, subject_type="bulk_upload", subject_id=upload.id,
            why=error.code, **where,
        )  # fmt: skip
        return
    requested = isinstance(made, AdjustmentRequest)
    _finish_row(row.id, REQUESTED if requested else APPLIED, ref_id=member.id, member_id=member.id)


def _finish_row(row_id: int, result: str, *, error=None, ref_id=None, **more) -> None:
    db.session.execute(
        update(rows_table)
        .where(rows_table.c.id == row_id)
        .values(result=result, error=error, ref_id=ref_id, **more)
    )


def _exists(upload_id: int) -> BulkUpload:
    upload = db.session.get(BulkUpload, upload_id)
    if upload is None:
        raise NotFound()
    return upload


def _reloaded(upload_id: int) -> BulkUpload:
    upload = db.session.get(BulkUpload, upload_id)
    db.session.refresh(upload)
    return upload
