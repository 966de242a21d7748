"""Redeeming: one order per request key, stock and the per-member count drawn by conditional
UPDATEs, virtual codes claimed, points spent through the ledger, all in one transaction."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from memberportal.audit import services as audit
from memberportal.core.db import insert_once, use_case
from memberportal.core.errors import NotFound
from memberportal.coupons import mall_coupons
from memberportal.extensions import db
from memberportal.mall import queries, rules
from memberportal.mall.errors import (
    InvalidAddress,
    InvalidQuantity,
    LimitReached,
    NotRedeemable,
    OutOfStock,
    RequestKeyClash,
)
from memberportal.mall.models import Item, MemberItemCount, Order, VirtualCode
from memberportal.members.models import Member
from memberportal.notifications import outbox
from memberportal.points import ledger
from memberportal.tiers.models import Tier

REQUEST_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_pickup_code() -> str:
    """Eight digits a cashier can type; UNIQUE in the database (a clash is retried)."""
    return f"{secrets.randbelow(9 * 10**7) + 10**7}"


def new_request_key() -> str:
    return secrets.token_urlsafe(18)


def redeem(
    member_id: int,
    item_id: int,
    quantity: int,
    request_key: str,
    *,
    actor,
    now: datetime,
    shipping: rules.ShippingAddress | None = None,
) -> Order:
    """Redeem `quantity` units of an item for a member: one order per request key.

    Rule: the item is on sale inside its window, the member's tier is high enough, the paid
    card is active if required, the per-member limit and the stock hold, and the points are
    there. Writes the order (its cost frozen), draws stock, counts towards the limit, claims
    virtual codes, spends the points through the ledger, issues a coupon item's coupon (reason
    'mall:<order id>', the order fulfilled at once) and audits, in one transaction; an order
    with a cash part waits for payment with stock and points held. A shipped item
    needs `shipping` (name, phone, address: required, bounded, no control characters),
    stored on the order; other kinds ignore it.
    Raises NotRedeemable (and its OutOfStock / LimitReached), InsufficientPoints,
    InvalidQuantity, InvalidAddress, RequestKeyClash, TemplateNotForMall (the item's coupon
    was deactivated).
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
            return _redeem(
                member_id, item_id, quantity, request_key, actor=actor, now=now, shipping=shipping
            )
        except IntegrityError:
            continue  # the same key committed by a concurrent submit, or a pickup code clash
    raise RuntimeError("could not place the order")


@use_case
def _redeem(member_id, item_id, quantity, request_key, *, actor, now, shipping) -> Order:
    item = db.session.get(Item, item_id)
    if item is None or item.state == "draft":
        raise NotFound()
    if not 1 <= quantity <= rules.MAX_PER_ORDER:
        raise InvalidQuantity()
    address = _shipping_text(item, shipping)
    _check_paid_card(item, member_id, now)
    order = _new_order(item, member_id, quantity, request_key, address, now)
    db.session.add(order)
    db.session.flush()  # the first write: on SQLite it takes the write lock
    _take_stock(item, member_id, quantity, now)
    _count_towards_limit(item, member_id, quantity)
    if item.kind == "virtual_code":
        _claim_codes(item.id, order.id, quantity, now)
    if order.points_cost:
        entry = ledger.spend(
            member_id,
            order.points_cost,
            kind="redeem",
            source_type="mall_order",
            source_id=order.id,
            actor=actor,
            now=now,
        )
        order.spend_entry_id = entry.id
    if item.kind == "coupon" and order.status == "fulfilled":
        issue_coupon(order, actor=actor, now=now)
    audit.record(
        "mall.order_placed",
        actor=actor,
        subject_type="mall_order",
        subject_id=order.id,
        item_id=item.id,
        quantity=quantity,
        points=order.points_cost,
        cash_cents=order.cash_cents,
        status=order.status,
    )
    outbox.order_changed(order, now)
    return order


def issue_coupon(order: Order, *, actor, now: datetime, offered_only: bool = True) -> None:
    """A coupon item's order, once nothing is left to pay, gets its coupon: reason
    'mall:<order id>' (one per order, however often this is retried), valid for the
    template's days from `now`. With `offered_only`, a template deactivated meanwhile
    refuses the redemption; a paid order gets its coupon regardless (the member has paid)."""
    coupon = mall_coupons.issue_for_mall_order(
        order.member_id,
        order.item.coupon_template_id,
        order.id,
        actor=actor,
        now=now,
        offered_only=offered_only,
    )
    db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.coupon_id.is_(None))
        .values(coupon_id=coupon.id)
        .execution_options(synchronize_session=False)
    )
    order.coupon_id = coupon.id
    order.coupon = coupon


def _new_order(item: Item, member_id, quantity, request_key, address, now) -> Order:
    """The order with its cost frozen at today's price and its first status."""
    points, cash = rules.totals(item.points_price, item.cash_cents, quantity)
    status = rules.first_status(item.kind, cash)
    return Order(
        member_id=member_id,
        item_id=item.id,
        request_key=request_key,
        quantity=quantity,
        points_cost=points,
        cash_cents=cash,
        status=status,
        pickup_code=new_pickup_code() if item.kind == "pickup" else None,
        shipping_address=address,
        placed_at=now,
        hold_expires_at=now + rules.PAYMENT_HOLD if status == "awaiting_payment" else None,
        fulfilled_at=now if status == "fulfilled" else None,
    )


def _shipping_text(item: Item, shipping: rules.ShippingAddress | None) -> str | None:
    """The address a shipped item goes to, checked; other kinds keep none."""
    if item.kind != "shipped":
        return None
    if shipping is None:
        raise InvalidAddress(list(rules.ADDRESS_LIMITS))
    problems = rules.address_problems(shipping)
    if problems:
        raise InvalidAddress(problems)
    return shipping.as_text()


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


def _count_towards_limit(item: Item, member_id: int, quantity: int) -> None:
    insert_once(MemberItemCount, item_id=item.id, member_id=member_id, redeemed=0)
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
