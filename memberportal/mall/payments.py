"""The cash part of a points + cash order: Stripe Checkout in payment mode.

Stock and points are held from redemption; only a verified webhook (never the browser's return)
moves the order on. memberportal.payments verifies each event, records its id once and hands
the mall the events it claims (`is_mall_event`: the order id in the metadata, or a refund of an
order's payment); see `register_payment_handlers`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select, update

from memberportal.audit import services as audit
from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.core.db import use_case
from memberportal.core.errors import NotFound
from memberportal.extensions import db
from memberportal.mall import refunds, rules, services
from memberportal.mall.errors import NotCancellable, WrongOrderState
from memberportal.mall.models import MallRefund, Order
from memberportal.mall.redemption import issue_coupon
from memberportal.notifications import outbox
from memberportal.payments import events as payment_events
from memberportal.payments.gateway import get_gateway

STRIPE = SystemActor(audit_label="stripe webhook", actor_kind="stripe")
METADATA_KEY = "mall_order_id"
CHECKOUT_MINIMUM = timedelta(minutes=31)
MALL_EVENTS = ("checkout.session.completed", "checkout.session.expired", "charge.refunded")


def begin_checkout(order_id: int, member_id: int, *, success_url: str, cancel_url: str) -> str:
    """Open a payment checkout for an order awaiting payment; return the URL to send the
    member to. The processor is called outside any transaction; then the session id is
    stored (conditional on the order still awaiting payment). Raises NotFound,
    WrongOrderState."""
    order = db.session.scalar(
        select(Order).where(Order.id == order_id, Order.member_id == member_id)
    )
    if order is None:
        raise NotFound()
    if order.status != "awaiting_payment":
        raise WrongOrderState()
    db.session.rollback()  # no transaction stays open across the network call
    session_id, url = get_gateway().start_payment(
        reference=f"{order.id}-{int(order.hold_expires_at.timestamp())}",
        amount_cents=order.cash_cents,
        description=f"{order.item.name_en or order.item.name_zh} x {order.quantity}",
        metadata={METADATA_KEY: str(order.id), "member_id": str(member_id)},
        email=None,
        success_url=success_url,
        cancel_url=cancel_url,
        # Stripe accepts 30 minutes at the least; the sweep still releases the hold on time,
        # and a payment that lands after it is refunded (see confirm_payment).
        expires_at=int(max(order.hold_expires_at, utcnow() + CHECKOUT_MINIMUM).timestamp()),
    )
    _attach_session(order.id, session_id)
    return url


@use_case
def _attach_session(order_id: int, session_id: str) -> None:
    moved = db.session.execute(
        update(Order)
        .where(Order.id == order_id, Order.status == "awaiting_payment")
        .values(checkout_session_id=session_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        raise WrongOrderState()


def register_payment_handlers(app: Flask) -> None:
    handler = payment_events.Handler(
        kind="mall", claims=is_mall_event, apply=_apply, follow_up=follow_up
    )
    for event_type in MALL_EVENTS:
        payment_events.register(app, event_type, handler)


def _apply(event: dict, context: None, now: datetime) -> payment_events.Outcome:
    outcome, note = handle_event(event, now=now)
    return payment_events.Outcome(outcome, note=note)


def is_mall_event(event: dict) -> bool:
    obj = event["data"]["object"]
    if event.get("type") not in MALL_EVENTS:
        return False
    if (obj.get("metadata") or {}).get(METADATA_KEY):
        return True
    return event["type"] == "charge.refunded" and _order_for_payment(obj) is not None


def _payment_intent(obj: dict) -> str | None:
    payment_intent = obj.get("payment_intent")
    if isinstance(payment_intent, dict):
        payment_intent = payment_intent.get("id")
    return payment_intent or None


def _order_for_payment(charge: dict) -> Order | None:
    payment_intent = _payment_intent(charge)
    if not payment_intent:
        return None
    order = db.session.scalar(select(Order).where(Order.payment_intent_id == payment_intent))
    if order is not None:
        return order
    return db.session.scalar(
        select(Order).join(MallRefund).where(MallRefund.payment_intent_id == payment_intent)
    )


def handle_event(event: dict, *, now: datetime) -> tuple[str, str | None]:
    """Apply one verified, first-seen mall payment event; return (outcome, note).
    Runs inside the webhook's transaction (joins it)."""
    obj = event["data"]["object"]
    order_ref = (obj.get("metadata") or {}).get(METADATA_KEY)
    order = db.session.get(Order, int(order_ref)) if (order_ref or "").isdigit() else None
    if order is None and event["type"] == "charge.refunded":
        order = _order_for_payment(obj)
    if order is None:
        return "unmatched", "no mall order for this payment"
    if event["type"] == "checkout.session.completed":
        return confirm_payment(order.id, obj, now=now)
    if event["type"] == "checkout.session.expired":
        if obj.get("id") != order.checkout_session_id:
            return "no_change", "an older checkout of this order expired"
        return _cancel(order.id, now, "checkout expired", unpaid_only=True)
    return _refunded(order, obj, now)


def _refunded(order: Order, charge: dict, now: datetime) -> tuple[str, str | None]:
    """A refund of the order's own payment cancels it (points and stock return once); a
    refund of a late payment only closes its refund row. Repeats change nothing."""
    payment_intent = _payment_intent(charge)
    if not payment_intent:
        return "unmatched", "refund without a payment"
    closed = refunds.record_refunded(
        order.id, payment_intent, charge.get("amount_refunded") or 0, actor=STRIPE, now=now
    )
    outcome, note = "no_change", None
    if payment_intent == order.payment_intent_id:
        outcome, note = _cancel(order.id, now, "cash part refunded")
    return ("applied" if closed or outcome == "applied" else "no_change"), note


def follow_up(event: dict) -> None:
    """After a mall event's transaction committed: request the refunds it left owed (a
    payment that landed after its hold was released). Safe to repeat."""
    if event.get("type") != "checkout.session.completed":
        return
    order_ref = (event["data"]["object"].get("metadata") or {}).get(METADATA_KEY) or ""
    if order_ref.isdigit():
        refunds.send_owed(int(order_ref), now=utcnow())


@use_case
def confirm_payment(order_id: int, session: dict, *, now: datetime) -> tuple[str, str | None]:
    """A paid checkout moves its order on (awaiting payment -> ready for pickup / placed /
    fulfilled), conditional on the order still waiting and the amount matching; a coupon
    item's order gets its coupon in the same transaction.
    A payment that lands after the hold was released is owed back (refunded automatically
    once this transaction commits, see follow_up)."""
    order = db.session.get(Order, order_id)
    if session.get("mode") != "payment" or session.get("payment_status") != "paid":
        return "ignored", "not a paid one-off checkout"
    if session.get("amount_total") != order.cash_cents:
        return "unmatched", "amount differs from the order's cash part"
    target = rules.status_when_paid(order.item.kind)
    payment_intent = session.get("payment_intent")
    moved = db.session.execute(
        update(Order)
        .where(Order.id == order_id, Order.status == "awaiting_payment")
        .values(
            status=target,
            paid_at=now,
            payment_intent_id=payment_intent,
            checkout_session_id=session["id"],
            fulfilled_at=now if target == "fulfilled" else None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        return _late_payment(order, payment_intent, session["amount_total"], now)
    if order.item.kind == "coupon":
        issue_coupon(order, actor=STRIPE, now=now, offered_only=False)
    audit.record(
        "mall.order_paid",
        actor=STRIPE,
        subject_type="mall_order",
        subject_id=order_id,
        cash_cents=order.cash_cents,
        payment_intent=payment_intent,
        status=target,
    )
    outbox.order_changed(db.session.get(Order, order_id, populate_existing=True), now)
    return "applied", None


def _late_payment(
    order: Order, payment_intent: str | None, amount: int, now: datetime
) -> tuple[str, str | None]:
    audit.record(
        "mall.payment_late",
        actor=STRIPE,
        subject_type="mall_order",
        subject_id=order.id,
        payment_intent=payment_intent,
        status=order.status,
    )
    if not payment_intent or payment_intent == order.payment_intent_id or amount <= 0:
        return "no_change", "payment for an order no longer awaiting it"
    if not refunds.owe(
        order.id, payment_intent, amount, refunds.LATE_REASON, actor=STRIPE, now=now
    ):
        return "no_change", "this late payment is already owed back"
    return "applied", "payment for an order no longer awaiting it: refund owed"


def _cancel(
    order_id: int, now: datetime, reason: str, *, unpaid_only: bool = False
) -> tuple[str, str | None]:
    before = db.session.get(Order, order_id).status
    try:
        order = services.cancel(
            order_id, actor=STRIPE, now=now, reason=reason, unpaid_only=unpaid_only
        )
    except NotCancellable:
        return "no_change", f"order already {before}"
    return (
        "applied" if before != "cancelled" and order.status == "cancelled" else "no_change",
        None,
    )
