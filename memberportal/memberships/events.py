"""The paid membership's handlers for verified Stripe events: each business fact acts once,
always from the processor's latest subscription state rather than the order events arrive in.

They are registered with memberportal.payments (which stores each event once and calls them in
its transaction) for every type in HANDLED, taking whatever another area does not claim (the
mall claims its orders' payments). Effects: memberships, payment_facts, membership_billing,
membership_charge_refunds, membership_disputes, audit_entries; an event for no known member is
kept as unmatched. Refunds of one charge meet on its refunded total (one conditional UPDATE).
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from sqlalchemy import select, update

from memberportal.audit import services as audit
from memberportal.core.db import insert_once
from memberportal.extensions import db
from memberportal.memberships import charge_events, rules
from memberportal.memberships.event_kit import Context, Outcome, apply_latest, first_time
from memberportal.memberships.models import BillingRecord, Checkout
from memberportal.memberships.services import STRIPE
from memberportal.notifications import outbox
from memberportal.payments import events as payment_events
from memberportal.payments.gateway import Gateway
from memberportal.payments.rules import stripe_id

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


def register_payment_handlers(app: Flask) -> None:
    handler = payment_events.Handler(kind="membership", apply=_apply, prepare=gather)
    for event_type in HANDLED:
        payment_events.register(app, event_type, handler)


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
        subscription_id = stripe_id(obj.get("subscription"))
    elif kind in PAYMENT_EVENTS and obj.get("payment_intent"):
        context.invoice = gateway.invoice_for_payment_intent(stripe_id(obj["payment_intent"]))
        if context.invoice:
            subscription_id = rules.invoice_subscription_id(context.invoice)
    if subscription_id:
        context.subscription = gateway.fetch_subscription(subscription_id)
    return context


def _apply(event: dict, context: Context | None, now: datetime) -> payment_events.Outcome:
    """Apply one first-seen event inside the payments transaction (joins it)."""
    context = context or Context()
    result = HANDLERS[event["type"]](event, event["data"]["object"], context, now)
    return payment_events.Outcome(
        result.outcome,
        note=result.note,
        membership_id=result.membership.id if result.membership else None,
        subscription_id=_subscription_of(event, context),
    )


def _subscription_of(event: dict, context: Context) -> str | None:
    if context.subscription:
        return context.subscription.get("id")
    obj = event["data"]["object"]
    if event["type"] in SUBSCRIPTION_EVENTS:
        return obj.get("id")
    return None


def _state_only(event, obj, context, now) -> Outcome:
    membership, changed = apply_latest(context, now)
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
    membership, changed = apply_latest(context, now)
    if membership is None:
        return Outcome("unmatched", note="no member for this subscription")
    if not first_time(f"invoice.paid:{obj['id']}", event):
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
    outbox.invoice_paid(membership, obj, now)
    return Outcome("applied", membership)


def _payment_failed(event, obj, context, now) -> Outcome:
    if rules.invoice_subscription_id(obj) is None:
        return Outcome("ignored", note="not a subscription invoice")
    membership, changed = apply_latest(context, now)
    if membership is None:
        return Outcome("unmatched", note="no member for this subscription")
    key = f"invoice.payment_failed:{obj['id']}:{obj.get('attempt_count') or 0}"
    if first_time(key, event):
        # The member's page shows the notice while the subscription is past_due.
        audit.record(
            "membership.payment_failed",
            actor=STRIPE,
            subject_type="membership",
            subject_id=membership.id,
            invoice=obj["id"],
            attempt=obj.get("attempt_count"),
        )
        outbox.membership_changed(membership, "membership.payment_failed", key, now)
        changed = True
    return Outcome("applied" if changed else "no_change", membership)


HANDLERS = {
    "checkout.session.completed": _checkout_completed,
    "checkout.session.expired": _checkout_expired,
    "customer.subscription.updated": _state_only,
    "customer.subscription.deleted": _state_only,
    "invoice.paid": _invoice_paid,
    "invoice.payment_failed": _payment_failed,
    "charge.refunded": charge_events.refunded,
    "charge.dispute.created": charge_events.dispute_created,
    "charge.dispute.closed": charge_events.dispute_closed,
}
