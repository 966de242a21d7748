"""Charge events: refunds and disputes of a membership payment, each applied once and only
through conditional writes, in whatever order they arrive."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from memberportal.audit import services as audit
from memberportal.core.db import insert_once
from memberportal.extensions import db
from memberportal.memberships import rules
from memberportal.memberships.event_kit import Context, Outcome, apply_latest, first_time
from memberportal.memberships.models import (
    ENTITLED,
    BillingRecord,
    ChargeRefund,
    Dispute,
    Membership,
)
from memberportal.memberships.services import STRIPE, set_status


def _paid_membership(context: Context) -> Membership | None:
    subscription_id = rules.invoice_subscription_id(context.invoice or {})
    if not subscription_id:
        return None
    return db.session.scalars(
        select(Membership).where(Membership.stripe_subscription_id == subscription_id)
    ).first()


def refunded(event, obj, context, now) -> Outcome:
    membership = _paid_membership(context)
    if membership is None:
        return Outcome("unmatched", note="refund for no known membership payment")
    amount = obj.get("amount") or 0
    refunded = min(obj.get("amount_refunded") or 0, amount)
    if not first_time(f"refund:{obj['id']}:{refunded}", event):
        return Outcome("no_change", membership)
    added = _raise_refunded(obj["id"], membership.id, amount, refunded, now)
    if added is None:  # a later (larger) refund of this charge was recorded first
        return Outcome("no_change", membership, note="refund already counted")
    insert_once(
        BillingRecord,
        membership_id=membership.id,
        member_id=membership.member_id,
        kind="refund",
        reference=f"refund:{obj['id']}:{refunded}",
        invoice_id=context.invoice.get("id"),
        amount_cents=added,
        currency=(obj.get("currency") or "cny")[:3],
        at=now,
    )
    audit.record(
        "membership.refund_recorded",
        actor=STRIPE,
        subject_type="membership",
        subject_id=membership.id,
        charge=obj["id"],
        amount_refunded=refunded,
        amount_cents=added,
    )
    _start, paid_end = rules.invoice_period(context.invoice)
    if rules.is_full_refund(obj) and rules.covers_current_period(
        paid_end, membership.current_period_end
    ):
        set_status(
            membership,
            "revoked",
            only_from=(*ENTITLED, "on_hold"),
            reason="current period refunded",
        )
    return Outcome("applied", membership)


def _raise_refunded(
    charge_id: str, membership_id: int, amount: int, refunded: int, now: datetime
) -> int | None:
    """Raise the charge's refunded total to `refunded`; return by how much, or None when the
    total was already that high. One conditional UPDATE reads and writes the same row version:
    on PostgreSQL a concurrent refund of the charge waits for the row and is re-evaluated
    against the committed total; on SQLite the webhook already holds the write lock."""
    insert_once(
        ChargeRefund,
        charge_id=charge_id,
        membership_id=membership_id,
        amount_cents=amount,
        refunded_cents=0,
        last_refund_cents=0,
        updated_at=now,
    )
    return db.session.execute(
        update(ChargeRefund)
        .where(ChargeRefund.charge_id == charge_id, ChargeRefund.refunded_cents < refunded)
        .values(
            refunded_cents=refunded,
            # SET expressions see the row before this UPDATE: the increase, not a re-read.
            last_refund_cents=refunded - ChargeRefund.refunded_cents,
            updated_at=now,
        )
        .returning(ChargeRefund.last_refund_cents)
        .execution_options(synchronize_session=False)
    ).scalar()


def dispute_created(event, obj, context, now) -> Outcome:
    membership = _paid_membership(context)
    if membership is None:
        return Outcome("unmatched", note="dispute for no known membership payment")
    # A closing that arrived first already holds the row: the opening then changes nothing.
    if not insert_once(
        Dispute, dispute_id=obj["id"], membership_id=membership.id, state="open", updated_at=now
    ):
        return Outcome("no_change", membership)
    set_status(membership, "on_hold", only_from=ENTITLED, reason=f"dispute {obj['id']} opened")
    return Outcome("applied", membership)


def _close_dispute(dispute_id: str, membership_id: int, result: str, now: datetime) -> bool:
    """Record the dispute's outcome once: insert it (closing before opening) or move 'open' to
    it. On PostgreSQL a concurrent opening's insert makes this one wait, then the UPDATE sees
    its committed 'open' row."""
    if insert_once(
        Dispute, dispute_id=dispute_id, membership_id=membership_id, state=result, updated_at=now
    ):
        return True
    moved = db.session.execute(
        update(Dispute)
        .where(Dispute.dispute_id == dispute_id, Dispute.state == "open")
        .values(state=result, updated_at=now)
    )
    return moved.rowcount == 1


def dispute_closed(event, obj, context, now) -> Outcome:
    membership = _paid_membership(context)
    if membership is None:
        return Outcome("unmatched", note="dispute for no known membership payment")
    result = rules.dispute_outcome(obj.get("status") or "")
    if result is None or not _close_dispute(obj["id"], membership.id, result, now):
        return Outcome("no_change", membership)
    if result == "lost":
        set_status(
            membership,
            "revoked",
            only_from=(*ENTITLED, "on_hold"),
            reason=f"dispute {obj['id']} lost",
        )
        return Outcome("applied", membership)
    state = rules.subscription_state(context.subscription) if context.subscription else None
    restored = state.status if state and state.status in ENTITLED else "ended"
    set_status(membership, restored, only_from=("on_hold",), reason=f"dispute {obj['id']} won")
    apply_latest(context, now)
    return Outcome("applied", membership)
