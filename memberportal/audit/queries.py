"""Reading the audit trail: one filtered query for the page and the streamed CSV."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, false, func, select

from memberportal.audit.models import AuditEntry
from memberportal.core.clock import end_of_day, start_of_day
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.members.queries import find_member


@dataclass(frozen=True)
class AuditFilter:
    """What the manager asked for; empty fields do not filter. Days are brand-local."""

    actor: str = ""
    action: str = ""
    member: str = ""
    subject_type: str = ""
    subject_id: int | None = None
    since: date | None = None
    until: date | None = None

    def args(self) -> dict:
        """The filter as query-string arguments (for load-more and the CSV link)."""
        values = {
            "actor": self.actor, "action": self.action, "member": self.member,
            "subject": self.subject_type, "subject_id": self.subject_id,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }  # fmt: skip
        return {key: value for key, value in values.items() if value not in (None, "")}


def filtered(f: AuditFilter) -> Select:
    """(entry, member number) rows matching `f`, newest first; the number when the subject is
    a member, read in the same query (an outer join), never one query per row."""
    query = select(AuditEntry, Member.member_no).outerjoin(
        Member, (AuditEntry.subject_type == "member") & (Member.id == AuditEntry.subject_id)
    )
    if f.actor:
        like = f.actor.lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
        query = query.where(func.lower(AuditEntry.actor_label).like(f"%{like}%", escape="\\"))
    if f.action:
        query = query.where(AuditEntry.action == f.action)
    if f.member:
        member = find_member(f.member)
        query = query.where(
            (AuditEntry.subject_type == "member") & (AuditEntry.subject_id == member.id)
            if member
            else false()
        )
    if f.subject_type:
        query = query.where(AuditEntry.subject_type == f.subject_type)
    if f.subject_id is not None:
        query = query.where(AuditEntry.subject_id == f.subject_id)
    if f.since:
        query = query.where(AuditEntry.at >= start_of_day(f.since))
    if f.until:
        query = query.where(AuditEntry.at <= end_of_day(f.until))
    return query.order_by(AuditEntry.id.desc())


def recent_entries(
    f: AuditFilter | None = None,
    *,
    subject_type: str | None = None,
    subject_id: int | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[tuple[AuditEntry, str | None]]:
    """[(entry, member number)] newest first, a page at a time (before_id: keyset)."""
    f = f or AuditFilter(subject_type=subject_type or "", subject_id=subject_id)
    query = filtered(f).limit(limit)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    return [(entry, member_no) for entry, member_no in db.session.execute(query)]


def stream_entries(f: AuditFilter, batch: int = 1000) -> Iterator[tuple[AuditEntry, str | None]]:
    """Every matching row, read in batches through a server-side cursor (yield_per), so a
    million rows never sit in memory at once."""
    result = db.session.execute(filtered(f).execution_options(yield_per=batch))
    for entry, member_no in result:
        yield entry, member_no
        db.session.expunge(entry)  # the identity map would otherwise keep every row
