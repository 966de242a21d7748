"""Acting on verified Stripe events: once per event id, once per business fact, and always
from the processor's latest subscription state rather than the order events arrive in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from memberportal.audit import services as audit
from memberportal.core.clock import utcnow
from memberportal.core.db import use_case
from memberportal.extensions import db
from memberportal.memberships import rules
from memberportal.memberships.dbutil import insert_once
from memberportal.memberships.gateway import Gateway
from memberportal.memberships.models import (
    ENTITLED,
    BillingRecord,
    ChargeRefund,
    Checkout,
    Dispute,
    Membership,
    PaymentFact,
    StripeEvent,
)
from memberportal.memberships.services import STRIPE, apply_subscription_state, set_status

SUBSCRIPTION_EVENTS = ("customer.subscription.updated", "customer.subscription.deleted")
INVOICE_EVENTS = ("invoice.paid", "invoice.payment_failed")
PAYMENT_EVENTS = ("charge.refunded", "charge.dispute.created", "charge.dispute.closed")
HANDLED = (
    "checkout.session.completed",
    "checkout.session.expired",
    *SUBSCRIPTION_EVENTS,
    *INVOICE_EVENTS,
    *PAYMENT_EVENTS,
)


@dataclass
class Context:
    """What the processor says now, fetched before the transaction opens."""

    subscription: dict | None = None
    invoice: dict | None = None  # the invoice a refunded or disputed payment paid


@dataclass
class Outcome:
    outcome: str  # applied, no_change, unmatched, ignored
    membership: Membership | None = None
    note: str | None = None


def gather(event: dict, gateway: Gateway) -> Context:
    """Fetch the latest subscription (and a payment's invoice) through the gateway.
    Network calls happen here, never while a database transaction is open."""
    kind, obj = event.get("type"), event["data"]["object"]
    context = Context()
    subscription_id = None
    if kind in SUBSCRIPTION_EVENTS:
        subscription_id = obj.get("id")
    elif kind in INVOICE_EVENTS:
        subscription_id = rules.invoice_subscription_id(obj)
    elif kind == "checkout.session.completed" and obj.get("mode") == "subscription":
        subscription_id = rules.stripe_id(obj.get("subscription"))
    elif kind in PAYMENT_EVENTS and obj.get("payment_intent"):
        context.invoice = gateway.invoice_for_payment_intent(rules.stripe_id(obj["payment_intent"]))
        if context.invoice:
            subscription_id = rules.invoice_subscription_id(context.invoice)
    if subscription_id:
        context.subscription = gateway.fetch_subscription(subscription_id)
    return context


@use_case
def handle_event(event: dict, context: Context, *, now: datetime | None = None) -> str:
    """Record a verified event once and apply its effect once.

    Rule: the event id is UNIQUE (a repeat is acknowledged and does nothing); the business
    fact it reports (an invoice paid, a refund, a dispute's opening or closing) is UNIQUE too,
    so two event ids for one change act once. Effects follow the latest subscription state.
    Writes: stripe_events, payment_facts, memberships, membership_billing,
    membership_charge_refunds, membership_disputes, audit_entries.
    Raises nothing for unknown members: the event is kept as unmatched. Concurrency: the
    first statement is the event insert, so deliveries of one event serialise on its key;
    refunds of one charge meet on its refunded total (one conditional UPDATE).
    """
    now = now or utcnow()
    obj = event["data"]["object"]
    if not insert_once(
        StripeEvent,
        event_id=event["id"],
        type=event["type"],
        received_at=now,
        outcome="received",
        customer_id=rules.stripe_id(obj.get("customer")),
        subscription_id=_subscription_of(event, context),
        payload=event,
    ):
        return "duplicate"
    result = _mall_outcome(event, obj, now)
    if result is None:
        handler = HANDLERS.get(event["type"])
        result = handler(event, obj, context, now) if handler else Outcome("ignored")
    db.session.execute(
        update(StripeEvent)
        .where(StripeEvent.event_id == event["id"])
        .values(
            outcome=result.outcome,
            membership_id=result.membership.id if result.membership else None,
            note=result.note,
        )
    )
    return result.outcome


def _mall_outcome(event: dict, obj: dict, now: datetime) -> Outcome | None:
    """Mall order payments (payment mode, keyed by metadata) go to the mall's handlers."""
    from memberportal.mall import payments

    if not payments.is_mall_event(event):
        return None
    outcome, note = payments.handle_event(event, now=now)
    return Outcome(outcome, note=note)


def follow_up(event: dict) -> None:
    """Network calls an event leaves owed, made after its transaction committed (the mall
    refunds a payment that landed after its order's hold was released)."""
    if event.get("type") == "checkout.session.completed":
        from memberportal.mall import payments

        payments.follow_up(event)


def _subscription_of(event: dict, context: Context) -> str | None:
    if context.subscription:
        return context.subscription.get("id")
    obj = event["data"]["object"]
    if event["type"] in SUBSCRIPTION_EVENTS:
        return obj.get("id")
    return None


def _first_time(key: str, event: dict) -> bool:
    return insert_once(PaymentFact, key=key, event_id=event["id"], created_at=utcnow())


def _apply_latest(context: Context, now: datetime) -> tuple[Membership | None, bool]:
    if not context.subscription:
        return None, False
    return apply_subscription_state(rules.subscription_state(context.subscription), now=now)


def _state_only(event, obj, context, now) -> Outcome:
    membership, changed = _apply_latest(context, now)
    if membership is None:
        return Outcome("unmatched", note="no member for this subscription")
    return Outcome("applied" if changed else "no_change", membership)


def _checkout_completed(event, obj, context, now) -> Outcome:
    if obj.get("mode") != "subscription":
        return Outcome("ignored")
    db.session.execute(
        update(Checkout)
        .where(Checkout.session_id == obj["id"], Checkout.state == "open")
        .values(state="completed")
    )
    return _state_only(event, obj, context, now)


def _checkout_expired(event, obj, context, now) -> Outcome:
    """The member never paid: their open checkout closes (conditional UPDATE, so repeats and
    a checkout that completed or expired here already change nothing) and Join works again."""
    if obj.get("mode") != "subscription":
        return Outcome("ignored")
    closed = db.session.execute(
        update(Checkout)
        .where(Checkout.session_id == obj["id"], Checkout.state == "open")
        .values(state="expired")
        .returning(Checkout.id, Checkout.member_id)
    ).first()
    if closed is None:
        known = db.session.scalar(select(Checkout.id).where(Checkout.session_id == obj["id"]))
        if known is None:
            return Outcome("unmatched", note="no checkout with this session id")
        return Outcome("no_change")
    audit.record(
        "membership.checkout_expired",
        actor=STRIPE,
        subject_type="member",
        subject_id=closed.member_id,
        checkout=closed.id,
        session=obj["id"],
    )
    return Outcome("applied")


def _invoice_paid(event, obj, context, now) -> Outcome:
    if rules.invoice_subscription_id(obj) is None:
        return Outcome("ignored", note="not a subscription invoice")
    membership, changed = _apply_latest(context, now)
    if membership is None:
        return Outcome("unmatched", note="no member for this subscription")
    if not _first_time(f"invoice.paid:{obj['id']}", event):
        return Outcome("applied" if changed else "no_change", membership)
    start, end = rules.invoice_period(obj)
    insert_once(
        BillingRecord,
        membership_id=membership.id,
        member_id=membership.member_id,
        kind="payment",
        reference=obj["id"],
        invoice_id=obj["id"],
        amount_cents=obj.get("amount_paid") or 0,
        currency=(obj.get("currency") or "cny")[:3],
        period_start=start,
        period_end=end,
        at=now,
    )
    audit.record(
        "membership.invoice_paid",
        actor=STRIPE,
        subject_type="membership",
        subject_id=membership.id,
        invoice=obj["id"],
        amount_cents=obj.get("amount_paid") or 0,
        billing_reason=obj.get("billing_reason"),
    )
    return Outcome("applied", membership)


def _payment_failed(event, obj, context, now) -> Outcome:
    if rules.invoice_subscription_id(obj) is None:
        return Outcome("ignored", note="not a subscription invoice")
    membership, changed = _apply_latest(context, now)
    if membership is None:
        return Outcome("unmatched", note="no member for this subscription")
    key = f"invoice.payment_failed:{obj['id']}:{obj.get('attempt_count') or 0}"
    if _first_time(key, event):
        # The member's page shows the notice while the subscription is past_due.
        audit.record(
            "membership.payment_failed",
            actor=STRIPE,
            subject_type="membership",
            subject_id=membership.id,
            invoice=obj["id"],
            attempt=obj.get("attempt_count"),
        )
        changed = True
    return Outcome("applied" if changed else "no_change", membership)


def _paid_membership(context: Context) -> Membership | None:
    subscription_id = rules.invoice_subscription_id(context.invoice or {})
    if not subscription_id:
        return None
    return db.session.scalars(
        select(Membership).where(Membership.stripe_subscription_id == subscription_id)
    ).first()


def _refunded(event, obj, context, now) -> Outcome:
    membership = _paid_membership(context)
    if membership is None:
        return Outcome("unmatched", note="refund for no known membership payment")
    amount = obj.get("amount") or 0
    refunded = min(obj.get("amount_refunded") or 0, amount)
    if not _first_time(f"refund:{obj['id']}:{refunded}", event):
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


def _dispute_created(event, obj, context, now) -> Outcome:
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


def _dispute_closed(event, obj, context, now) -> Outcome:
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
    _apply_latest(context, now)
    return Outcome("applied", membership)


HANDLERS = {
    "checkout.session.completed": _checkout_completed,
    "checkout.session.expired": _checkout_expired,
    "customer.subscription.updated": _state_only,
    "customer.subscription.deleted": _state_only,
    "invoice.paid": _invoice_paid,
    "invoice.payment_failed": _payment_failed,
    "charge.refunded": _refunded,
    "charge.dispute.created": _dispute_created,
    "charge.dispute.closed": _dispute_closed,
}
