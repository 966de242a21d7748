"""Reading the audit trail."""

from __future__ import annotations

from sqlalchemy import select

from memberportal.audit.models import AuditEntry
from memberportal.extensions import db


def recent_entries(
    *,
    subject_type: str | None = None,
    subject_id: int | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if subject_type:
        query = query.where(AuditEntry.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AuditEntry.subject_id == subject_id)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    return list(db.session.scalars(query))
