"""Freezing a member's account for review, and releasing it (risk.services holds the scan).

A frozen member earns as before but cannot spend points: the ledger's spend refuses them in
its conditional UPDATE of the member's row (points.ledger)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from memberportal.audit import services as audit
from memberportal.core.db import use_case
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.errors import UnknownMember
from memberportal.points.rows import forget_member
from memberportal.risk import rules
from memberportal.risk.errors import AlreadyFrozen, NotFrozen, ReasonRequired
from memberportal.risk.services import TEXT_MAX

members = Member.__table__


@use_case
def freeze_member(member_id: int, reason: str, *, actor, now: datetime) -> None:
    """Hold a member's account for review: from the commit on, no points may be spent.

    Earning goes on (purchases still credit). Writes the member's row by a conditional UPDATE
    (only if not frozen) and the audit row. Raises ReasonRequired, UnknownMember, AlreadyFrozen.
    Concurrency: the UPDATE takes the member's row, which every spend's conditional UPDATE
    also takes, so a spend in flight either commits before the freeze or is refused after it.
    """
    reason = rules.required_text(reason, ReasonRequired, TEXT_MAX)
    changed = db.session.execute(
        update(members)
        .where(members.c.id == member_id, members.c.frozen_at.is_(None))
        .values(frozen_at=now, frozen_reason=reason)
    ).rowcount
    if changed != 1:
        _missing_or(member_id, AlreadyFrozen)
    forget_member(member_id)
    audit.record(
        "risk.member_frozen", actor=actor, subject_type="member", subject_id=member_id,
        reason=reason,
    )  # fmt: skip


@use_case
def unfreeze_member(member_id: int, *, actor, now: datetime) -> None:
    """Release a frozen account: spending works again. Conditional UPDATE (only if frozen);
    audited with the reason it was frozen for. Raises UnknownMember, NotFrozen."""
    # Read for the audit row only; the conditional UPDATE below decides.
    reason = db.session.scalar(select(members.c.frozen_reason).where(members.c.id == member_id))
    changed = db.session.execute(
        update(members)
        .where(members.c.id == member_id, members.c.frozen_at.is_not(None))
        .values(frozen_at=None, frozen_reason=None)
    ).rowcount
    if changed != 1:
        _missing_or(member_id, NotFrozen)
    forget_member(member_id)
    audit.record(
        "risk.member_unfrozen", actor=actor, subject_type="member", subject_id=member_id,
        frozen_for=reason, unfrozen_at=now.isoformat(),
    )  # fmt: skip


def _missing_or(member_id: int, error: type) -> None:
    if db.session.scalar(select(members.c.id).where(members.c.id == member_id)) is None:
        raise UnknownMember()
    raise error()
