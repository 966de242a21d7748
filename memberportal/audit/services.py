"""Writing the audit trail. Called inside other use cases, so it never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update

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


ERASED = "(erased)"


def erase_typed_contact(action: str, matches) -> int:
    """Blank what was typed in `action` rows (failed sign-ins) where `matches(typed)` says it
    named a person whose data is being erased; the rest of each row stays. The trail is
    otherwise never changed: this is the data-erasure duty's one exception. Returns the
    number of rows blanked."""
    rows = db.session.execute(
        select(AuditEntry.id, AuditEntry.details).where(AuditEntry.action == action)
    ).all()
    blanked = 0
    for row_id, details in rows:
        typed = (details or {}).get("typed")
        if typed and matches(typed):
            db.session.execute(
                update(AuditEntry)
                .where(AuditEntry.id == row_id)
                .values(details={**details, "typed": ERASED})
            )
            blanked += 1
    return blanked
