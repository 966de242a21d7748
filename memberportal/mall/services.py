"""Redemption orders: the use cases other code calls, and cancelling.

Redeeming lives in `redemption`, handing over and shipping in `fulfilment`; their public
names are importable from here. Stock, the per-member count, code claims and order states
change only through conditional UPDATEs whose row counts are checked, so two requests at
once can never both win.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from memberportal.audit import services as audit
from memberportal.core.actors import SystemActor
from memberportal.core.db import use_case
from memberportal.core.errors import NotFound
from memberportal.coupons import mall_coupons
from memberportal.coupons.errors import CouponAlreadyUsed
from memberportal.extensions import db
from memberportal.mall import queries, refunds, rules
from memberportal.mall.errors import CouponOrderUsed, NotCancellable
from memberportal.mall.fulfilment import hand_over, mark_delivered, normalise_pickup_code, ship
from memberportal.mall.models import Item, MemberItemCount, Order, VirtualCode
from memberportal.mall.redemption import new_pickup_code, new_request_key, redeem
from memberportal.notifications import outbox
from memberportal.points import ledger

__all__ = [
    "cancel",
    "hand_over",
    "mark_delivered",
    "new_pickup_code",
    "new_request_key",
    "normalise_pickup_code",
    "redeem",
    "release_expired",
    "ship",
]

EXPIRED_REASON = "payment not completed in time"


@use_case
def cancel(
    order_id: int,
    *,
    actor,
    now: datetime,
    reason: str,
    member_id: int | None = None,
    unpaid_only: bool = False,
) -> Order:
    """Cancel an order not yet handed over or shipped, by its member or by staff.

    Rule: returns the stock, the per-member count, unseen virtual codes, and the points
    (ledger.give_back: to their lots with the original expiry); a paid cash part is owed
    back (a refund row; the caller then runs refunds.send_owed after the commit).
    Cancelling a cancelled order changes nothing and returns it. With `member_id`, only that
    member's order is touched; with `unpaid_only`, only an order still awaiting payment (a
    released hold never cancels an order whose payment just landed).
    A coupon item's order can be cancelled after it was fulfilled only while its coupon is
    unused: the coupon is voided first (coupons.mall_coupons.void_mall_coupon), and a coupon
    already written off refuses the cancel (CouponOrderUsed) before anything is written.
    Raises NotFound, NotCancellable. Concurrency: the status moves by one conditional UPDATE,
    so of two cancels (or a cancel and a hand-over) exactly one takes effect; the coupon moves
    by one conditional UPDATE on the row a write-off moves, so of a write-off and a cancel
    exactly one wins.
    """
    statuses = ("awaiting_payment",) if unpaid_only else rules.CANCELLABLE
    conditions = [Order.id == order_id]
    if member_id is not None:
        conditions.append(Order.member_id == member_id)
    if not unpaid_only and _void_coupon(conditions, actor=actor, now=now):
        statuses = (*statuses, "fulfilled")
    conditions.append(Order.status.in_(statuses))
    moved = db.session.execute(
        update(Order)
        .where(*conditions)
        .values(status="cancelled", cancelled_at=now, cancel_reason=reason[:500])
        .execution_options(synchronize_session=False)
    ).rowcount
    order = db.session.get(Order, order_id, populate_existing=True)
    if order is None or (member_id is not None and order.member_id != member_id):
        raise NotFound()
    if not moved:
        if order.status == "cancelled":
            return order
        raise NotCancellable()
    _return_goods(order)
    if order.spend_entry_id is not None:
        ledger.give_back(order.spend_entry_id, actor=actor, now=now, reason=reason)
    _owe_cash_back(order, actor=actor, now=now)
    audit.record(
        "mall.order_cancelled",
        actor=actor,
        subject_type="mall_order",
        subject_id=order.id,
        reason=reason,
        quantity=order.quantity,
        points=order.points_cost,
        coupon_id=order.coupon_id,
    )
    outbox.order_changed(order, now)
    return order


def _void_coupon(conditions, *, actor, now: datetime) -> bool:
    """Void the unused coupon a coupon item's order issued; True when the order has one (it
    is void now). Its coupon id is set once, when the order is fulfilled, and never changes,
    so reading it first is safe; the void itself is conditional on the coupon's state."""
    coupon_id = db.session.scalar(select(Order.coupon_id).where(*conditions))
    if coupon_id is None:
        return False
    try:
        mall_coupons.void_mall_coupon(coupon_id, actor=actor, now=now)
    except CouponAlreadyUsed:
        raise CouponOrderUsed() from None
    return True


def _owe_cash_back(order: Order, *, actor, now: datetime) -> None:
    """A paid cash part goes back: owed here, requested after the commit (refunds)."""
    if order.paid_at is not None and order.payment_intent_id and order.cash_cents > 0:
        refunds.owe(
            order.id,
            order.payment_intent_id,
            order.cash_cents,
            refunds.CANCELLED_REASON,
            actor=actor,
            now=now,
        )


def _return_goods(order: Order) -> None:
    db.session.execute(
        update(Item)
        .where(Item.id == order.item_id)
        .values(stock=Item.stock + order.quantity)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(MemberItemCount)
        .where(
            MemberItemCount.item_id == order.item_id, MemberItemCount.member_id == order.member_id
        )
        .values(redeemed=MemberItemCount.redeemed - order.quantity)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(VirtualCode)
        .where(VirtualCode.order_id == order.id)
        .values(order_id=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )


def release_expired(*, now: datetime) -> list[int]:
    """Cancel every order whose payment hold has run out (30 minutes without payment).
    Each order is its own transaction; a payment that lands first wins (the cancel is
    conditional on the status). Returns the ids cancelled."""
    actor = SystemActor(audit_label="mall release-expired")
    released = []
    for order_id in queries.expired_holds(now):
        try:
            order = cancel(order_id, actor=actor, now=now, reason=EXPIRED_REASON, unpaid_only=True)
        except NotCancellable:
            continue
        if order.cancelled_at == now:
            released.append(order_id)
    return released
