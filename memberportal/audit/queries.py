"""Reading the audit trail."""

from __future__ import annotations

from sqlalchemy import select

from memberportal.audit.models import AuditEntry
from memberportal.extensions import db
from memberportal.members.models import Member


def recent_entries(
    *,
    subject_type: str | None = None,
    subject_id: int | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[tuple[AuditEntry, str | None]]:
    """[(entry, member number)] newest first; the number when the subject is a member, read
    in the same query (an outer join), never one query per row."""
    query = (
        select(AuditEntry, Member.member_no)
        .outerjoin(
            Member, (AuditEntry.subject_type == "member") & (Member.id == AuditEntry.subject_id)
        )
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    if subject_type:
        query = query.where(AuditEntry.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AuditEntry.subject_id == subject_id)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    return [(entry, member_no) for entry, member_no in db.session.execute(query)]
