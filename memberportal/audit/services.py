"""Writing the audit trail. Called inside other use cases, so it never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from memberportal.audit.models import AuditEntry
from memberportal.core.actors import Actor
from memberportal.core.clock import utcnow
from memberportal.extensions import db

INSERT_AUDIT = insert(AuditEntry.__table__)  # built once; the values come as parameters


def record(
    action: str,
    *,
    actor: Actor,
    subject_type: str,
    subject_id: int | None = None,
    reason: str | None = None,
    **details: Any,
) -> None:
    """Append one audit row in the caller's transaction (a plain INSERT, no ORM object)."""
    db.session.execute(
        INSERT_AUDIT,
        dict(
            at=utcnow(),
            actor_kind=actor.actor_kind,
            actor_id=actor.actor_id,
            actor_label=actor.audit_label,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            reason=reason,
            details=details,
        ),
    )
