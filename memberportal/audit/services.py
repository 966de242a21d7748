"""Writing the audit trail. Called inside other use cases, so it never commits."""

from __future__ import annotations

from typing import Any

from memberportal.audit.models import AuditEntry
from memberportal.core.actors import Actor
from memberportal.core.clock import utcnow
from memberportal.extensions import db


def record(
    action: str,
    *,
    actor: Actor,
    subject_type: str,
    subject_id: int | None = None,
    reason: str | None = None,
    **details: Any,
) -> AuditEntry:
    """Append one audit row in the caller's transaction."""
    entry = AuditEntry(
        at=utcnow(),
        actor_kind=actor.actor_kind,
        actor_id=actor.actor_id,
        actor_label=actor.audit_label,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        reason=reason,
        details=details,
    )
    db.session.add(entry)
    return entry
