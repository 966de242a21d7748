"""Redemption orders: redeem, cancel, hand over, ship, and releasing unpaid holds.

Stock, the per-member count, code claims and order states change only through conditional
UPDATEs whose row counts are checked, so two requests at once can never both win.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from memberportal.audit import services as audit
from memberportal.core.actors import SystemActor
from memberportal.core.db import use_case
from memberportal.core.errors import NotFound
from memberportal.extensions import db
from memberportal.mall import queries, rules
from memberportal.mall.errors import (
    AlreadyHandedOver,
    InvalidQuantity,
    LimitReached,
    NotCancellable,
    NotRedeemable,
    OutOfStock,
    PickupCodeUnknown,
    RequestKeyClash,
    WrongOrderState,
)
from memberportal.mall.models import Item, MemberItemCount, Order, VirtualCode
from memberportal.members.models import Member
from memberportal.points import ledger
from memberportal.tiers.models import Tier

REQUEST_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
EXPIRED_REASON = "payment not completed in time"
PAID_CANCEL_MESSAGE = _l("The cash part is paid: ask the staff to cancel and refund this order.")


def new_pickup_code() -> str:
    """Eight digits a cashier can type; UNIQUE in the database (a clash is retried)."""
    return f"{secrets.randbelow(9 * 10**7) + 10**7}"


def new_request_key() -> str:
    return secrets.token_urlsafe(18)


def redeem(
    member_id: int, item_id: int, quantity: int, request_key: str, *, actor, now: datetime
) -> Order:
    """Redeem `quantity` units of an item for a member: one order per request key.

    Rule: the item is on sale inside its window, the member's tier is high enough, the paid
    card is active if required, the per-member limit and the stock hold, and the points are
    there. Writes the order (its cost frozen), draws stock, counts towards the limit, claims
    virtual codes, spends the points through the ledger and audits, in one transaction; an
    order with a cash part waits for payment with stock and points held.
    Raises NotRedeemable (and its OutOfStock / LimitReached), InsufficientPoints,
    InvalidQuantity, RequestKeyClash.
    Concurrency: stock and count move by conditional UPDATEs, the ledger spends by a
    conditional UPDATE, and UNIQUE(member_id, request_key) makes a resubmitted form return
    the first order. Always runs as its own transaction (a lost race is retried whole).
    """
    if not REQUEST_KEY_RE.match(request_key or ""):
        raise RequestKeyClash()
    for _attempt in range(4):
        existing = queries.order_for_request_key(member_id, request_key)
        if existing is not None:
            if existing.item_id != item_id:
                raise RequestKeyClash()
            return existing
        try:
            return _redeem(member_id, item_id, quantity, request_key, actor=actor, now=now)
        except IntegrityError:
            continue  # the same key committed by a concurrent submit, or a pickup code clash
    raise RuntimeError("could not place the order")


@use_case
def _redeem(member_id, item_id, quantity, request_key, *, actor, now) -> Order:
    item = db.session.get(Item, item_id)
    if item is None or item.state == "draft":
        raise NotFound()
    if not 1 <= quantity <= rules.MAX_PER_ORDER:
        raise InvalidQuantity()
    _check_paid_card(item, member_id, now)
    points, cash = rules.totals(item.points_price, item.cash_cents, quantity)
    status = rules.first_status(item.kind, cash)
    order = Order(
        member_id=member_id,
        item_id=item.id,
        request_key=request_key,
        quantity=quantity,
        points_cost=points,
        cash_cents=cash,
        status=status,
        pickup_code=new_pickup_code() if item.kind == "pickup" else None,
        placed_at=now,
        hold_expires_at=now + rules.PAYMENT_HOLD if status == "awaiting_payment" else None,
        fulfilled_at=now if status == "fulfilled" else None,
    )
    db.session.add(order)
    db.session.flush()  # the first write: on SQLite it takes the write lock
    _take_stock(item, member_id, quantity, now)
    _count_towards_limit(item, member_id, quantity)
    if item.kind == "virtual_code":
        _claim_codes(item.id, order.id, quantity, now)
    if points:
        entry = ledger.spend(
            member_id,
            points,
            kind="redeem",
            source_type="mall_order",
            source_id=order.id,
            actor=actor,
            now=now,
        )
        order.spend_entry_id = entry.id
    audit.record(
        "mall.order_placed",
        actor=actor,
        subject_type="mall_order",
        subject_id=order.id,
        item_id=item.id,
        quantity=quantity,
        points=points,
        cash_cents=cash,
        status=status,
    )
    return order


def _check_paid_card(item: Item, member_id: int, now: datetime) -> None:
    """Paid benefits are checked at the moment they are used (a revoked card stops at once)."""
    if item.paid_only and not queries.has_paid_card(member_id, now):
        raise NotRedeemable(rules.Reason.PAID_CARD_NEEDED)


def _take_stock(item: Item, member_id: int, quantity: int, now: datetime) -> None:
    member_rank = (
        select(Tier.rank).join(Member, Member.tier_id == Tier.id).where(Member.id == member_id)
    ).scalar_subquery()
    min_rank = select(Tier.rank).where(Tier.id == Item.min_tier_id).scalar_subquery()
    taken = db.session.execute(
        update(Item)
        .where(
            Item.id == item.id,
            Item.state == "on_sale",
            Item.stock >= quantity,
            or_(Item.sale_starts_at.is_(None), Item.sale_starts_at <= now),
            or_(Item.sale_ends_at.is_(None), Item.sale_ends_at > now),
            or_(Item.min_tier_id.is_(None), min_rank <= member_rank),
        )
        .values(stock=Item.stock - quantity)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken == 1:
        return
    db.session.refresh(item)
    member = db.session.get(Member, member_id)
    window = rules.window_reason(queries.item_facts(item), now)
    if window is not None:
        raise NotRedeemable(window)
    if item.min_tier is not None and member.tier.rank < item.min_tier.rank:
        raise NotRedeemable(rules.Reason.TIER_TOO_LOW)
    raise OutOfStock()


def _upsert(table):
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _count_towards_limit(item: Item, member_id: int, quantity: int) -> None:
    db.session.execute(
        _upsert(MemberItemCount)
        .values(item_id=item.id, member_id=member_id, redeemed=0)
        .on_conflict_do_nothing(index_elements=["item_id", "member_id"])
    )
    limit = select(Item.per_member_limit).where(Item.id == item.id).scalar_subquery()
    counted = db.session.execute(
        update(MemberItemCount)
        .where(
            MemberItemCount.item_id == item.id,
            MemberItemCount.member_id == member_id,
            or_(limit.is_(None), MemberItemCount.redeemed + quantity <= limit),
        )
        .values(redeemed=MemberItemCount.redeemed + quantity)
        .execution_options(synchronize_session=False)
    ).rowcount
    if counted != 1:
        raise LimitReached()


def _claim_codes(item_id: int, order_id: int, quantity: int, now: datetime) -> None:
    free = (
        select(VirtualCode.id)
        .where(VirtualCode.item_id == item_id, VirtualCode.order_id.is_(None))
        .order_by(VirtualCode.id)
        .limit(quantity)
    )
    claimed = db.session.execute(
        update(VirtualCode)
        .where(VirtualCode.id.in_(free), VirtualCode.order_id.is_(None))
        .values(order_id=order_id, claimed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != quantity:
        raise OutOfStock()


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
    (ledger.give_back: to their lots with the original expiry). Cancelling a cancelled order
    changes nothing and returns it. With `member_id`, only that member's order is touched;
    with `unpaid_only`, only an order still awaiting payment (a released hold never cancels
    an order whose payment just landed).
    Raises NotFound, NotCancellable. Concurrency: the status moves by one conditional UPDATE,
    so of two cancels (or a cancel and a hand-over) exactly one takes effect.
    """
    statuses = ("awaiting_payment",) if unpaid_only else rules.CANCELLABLE
    conditions = [Order.id == order_id, Order.status.in_(statuses)]
    if member_id is not None:
        # A paid cash part needs a refund, which staff start; the member cannot undo it here.
        conditions += [Order.member_id == member_id, Order.paid_at.is_(None)]
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
        if member_id is not None and order.paid_at is not None and rules.can_cancel(order.status):
            raise NotCancellable(PAID_CANCEL_MESSAGE)
        raise NotCancellable()
    _return_goods(order)
    if order.spend_entry_id is not None:
        ledger.give_back(order.spend_entry_id, actor=actor, now=now, reason=reason)
    audit.record(
        "mall.order_cancelled",
        actor=actor,
        subject_type="mall_order",
        subject_id=order.id,
        reason=reason,
        quantity=order.quantity,
        points=order.points_cost,
    )
    return order


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


def normalise_pickup_code(text: str) -> str:
    return re.sub(r"\D", "", text or "")


@use_case
def hand_over(pickup_code: str, *, actor, now: datetime) -> Order:
    """Hand over the order with this pickup code (ready for pickup -> fulfilled), in one step.

    Writes the status, who and when, and an audit row. Raises PickupCodeUnknown,
    AlreadyHandedOver (it was handed over before, perhaps a second ago by a colleague), or
    WrongOrderState (cancelled, awaiting payment). Concurrency: one conditional UPDATE, so of
    two staff scanning the same code at once exactly one succeeds.
    """
    code = normalise_pickup_code(pickup_code)
    if not code:
        raise PickupCodeUnknown()
    moved = db.session.execute(
        update(Order)
        .where(Order.pickup_code == code, Order.status == "ready_for_pickup")
        .values(status="fulfilled", fulfilled_at=now, fulfilled_by=actor.audit_label)
        .execution_options(synchronize_session=False)
    ).rowcount
    order = db.session.scalar(
        select(Order).where(Order.pickup_code == code).execution_options(populate_existing=True)
    )
    if order is None:
        raise PickupCodeUnknown()
    if not moved:
        if order.status == "fulfilled":
            raise AlreadyHandedOver()
        raise WrongOrderState()
    audit.record(
        "mall.order_handed_over",
        actor=actor,
        subject_type="mall_order",
        subject_id=order.id,
        pickup_code=code,
    )
    return order


@use_case
def ship(order_id: int, carrier: str, tracking_no: str, *, actor, now: datetime) -> Order:
    """Mark a placed shipped-kind order as shipped with its carrier and tracking number.
    Conditional on the order being placed; raises NotFound, WrongOrderState. Audited."""
    return _move(
        order_id,
        "placed",
        "shipped",
        "mall.order_shipped",
        actor=actor,
        values={
            "carrier": carrier.strip()[:64],
            "tracking_no": tracking_no.strip()[:64],
            "shipped_at": now,
        },
    )


@use_case
def mark_delivered(order_id: int, *, actor, now: datetime) -> Order:
    """A shipped order arrived: shipped -> fulfilled (conditional); audited."""
    return _move(
        order_id,
        "shipped",
        "fulfilled",
        "mall.order_delivered",
        actor=actor,
        values={"fulfilled_at": now, "fulfilled_by": actor.audit_label},
    )


def _move(order_id: int, source: str, target: str, action: str, *, actor, values) -> Order:
    moved = db.session.execute(
        update(Order)
        .where(Order.id == order_id, Order.status == source)
        .values(status=target, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    order = db.session.get(Order, order_id, populate_existing=True)
    if order is None:
        raise NotFound()
    if not moved:
        raise WrongOrderState()
    audit.record(
        action,
        actor=actor,
        subject_type="mall_order",
        subject_id=order_id,
        **{k: str(v) for k, v in values.items()},
    )
    return order


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
