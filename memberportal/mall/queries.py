"""Reading the mall, scoped to who may see what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import false, select
from sqlalchemy.orm import selectinload

from memberportal.accounts.rules import canonical_phone
from memberportal.extensions import db
from memberportal.mall import rules
from memberportal.mall.models import Category, Item, MemberItemCount, Order, VirtualCode
from memberportal.members.models import Member
from memberportal.memberships.queries import active_benefits

SORTS = ("newest", "points_asc", "points_desc")


def categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.rank, Category.id)))


def category_or_none(category_id: int) -> Category | None:
    return db.session.get(Category, category_id)


def has_paid_card(member_id: int, now: datetime) -> bool:
    """Whether the member's paid card gives benefits at this moment."""
    return active_benefits(member_id, now) is not None


def item_facts(item: Item) -> rules.ItemFacts:
    return rules.ItemFacts(
        state=item.state,
        stock=item.stock,
        points_price=item.points_price,
        sale_starts_at=item.sale_starts_at,
        sale_ends_at=item.sale_ends_at,
        min_tier_rank=item.min_tier.rank if item.min_tier else None,
        paid_only=item.paid_only,
        per_member_limit=item.per_member_limit,
    )


def member_counts(member_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(MemberItemCount.item_id, MemberItemCount.redeemed).where(
            MemberItemCount.member_id == member_id
        )
    )
    return {item_id: redeemed for item_id, redeemed in rows}


@dataclass(frozen=True)
class ItemCard:
    """An item as one member sees it: what it costs, what is left, why they cannot redeem."""

    item: Item
    reasons: list[rules.Reason]
    max_quantity: int
    points_missing: int = 0  # more points needed for one unit

    @property
    def redeemable(self) -> bool:
        return not self.reasons


def member_facts(member: Member, now: datetime, redeemed: int = 0) -> rules.MemberFacts:
    return rules.MemberFacts(
        tier_rank=member.tier.rank,
        balance=member.points_balance,
        has_paid_card=has_paid_card(member.id, now),
        already_redeemed=redeemed,
    )


def card_for(item: Item, member: Member, now: datetime, counts=None, paid=None) -> ItemCard:
    counts = member_counts(member.id) if counts is None else counts
    redeemed = counts.get(item.id, 0)
    facts = member_facts(member, now, redeemed)
    if paid is not None:
        facts = rules.MemberFacts(facts.tier_rank, facts.balance, paid, redeemed)
    item_rules = item_facts(item)
    return ItemCard(
        item=item,
        reasons=rules.reasons_not_redeemable(item_rules, facts, now),
        max_quantity=rules.max_quantity(item_rules, redeemed),
        points_missing=rules.points_missing(item_rules, facts),
    )


def browse(
    member: Member,
    now: datetime,
    *,
    category: str | None = None,
    affordable: bool = False,
    sort: str = "newest",
) -> list[ItemCard]:
    """On-sale items (and ones announced for later), as cards for this member."""
    query = select(Item).where(Item.state == "on_sale")
    query = query.where((Item.sale_ends_at.is_(None)) | (Item.sale_ends_at > now))
    if category:
        query = query.join(Category).where(Category.code == category)
    if affordable:
        query = query.where(Item.points_price <= member.points_balance)
    order = {
        "points_asc": (Item.points_price, Item.id),
        "points_desc": (Item.points_price.desc(), Item.id.desc()),
    }.get(sort, (Item.created_at.desc(), Item.id.desc()))
    items = db.session.scalars(query.order_by(*order)).unique()
    counts = member_counts(member.id)
    paid = has_paid_card(member.id, now)
    cards = [card_for(item, member, now, counts, paid) for item in items]
    if affordable:
        cards = [c for c in cards if c.redeemable]
    return cards


def visible_item_or_none(item_id: int) -> Item | None:
    """An item a member may look at: anything but a draft."""
    item = db.session.get(Item, item_id)
    return item if item is not None and item.state != "draft" else None


def order_for_request_key(member_id: int, request_key: str) -> Order | None:
    return db.session.scalar(
        select(Order).where(Order.member_id == member_id, Order.request_key == request_key)
    )


def orders_for_member(member_id: int, limit: int = 50) -> list[Order]:
    return list(
        db.session.scalars(
            select(Order).where(Order.member_id == member_id).order_by(Order.id.desc()).limit(limit)
        )
    )


def order_for_member(member_id: int, order_id: int) -> Order | None:
    """One of this member's orders (with its codes), or None: never another member's."""
    return db.session.scalar(
        select(Order)
        .where(Order.id == order_id, Order.member_id == member_id)
        .options(selectinload(Order.codes))
    )


def order_for_member_session(member_id: int, session_id: str) -> Order | None:
    return db.session.scalar(
        select(Order).where(Order.member_id == member_id, Order.checkout_session_id == session_id)
    )


def codes_for_member_order(member_id: int, order_id: int) -> list[str]:
    """The virtual codes of a paid order, only for the member who owns it."""
    return list(
        db.session.scalars(
            select(VirtualCode.code)
            .join(Order, Order.id == VirtualCode.order_id)
            .where(
                Order.id == order_id,
                Order.member_id == member_id,
                Order.status == "fulfilled",
            )
            .order_by(VirtualCode.id)
        )
    )


# Staff side


def items_for_merchant(state: str | None = None) -> list[Item]:
    query = select(Item).order_by(Item.id.desc())
    if state:
        query = query.where(Item.state == state)
    return list(db.session.scalars(query).unique())


def item_or_none(item_id: int) -> Item | None:
    return db.session.get(Item, item_id)


def free_code_count(item_id: int) -> int:
    return (
        db.session.scalar(
            select(db.func.count())
            .select_from(VirtualCode)
            .where(VirtualCode.item_id == item_id, VirtualCode.order_id.is_(None))
        )
        or 0
    )


def fulfilment_queue(
    status: str | None = None, kind: str | None = None, text: str = "", limit: int = 100
) -> list[tuple[Order, Member]]:
    """Orders for staff: open ones first by default, filtered by status, kind, code or number."""
    query = select(Order, Member).join(Member, Member.id == Order.member_id).join(Item)
    if status:
        query = query.where(Order.status == status)
    else:
        query = query.where(Order.status.in_(("ready_for_pickup", "placed", "shipped")))
    if kind:
        query = query.where(Item.kind == kind)
    text = (text or "").strip()
    if text:
        phone = canonical_phone(text)
        query = query.where(
            (Order.pickup_code == text)
            | (Member.member_no == text)
            | (Member.phone == phone if phone else false())
        )
    return [tuple(row) for row in db.session.execute(query.order_by(Order.id).limit(limit))]


def order_with_member(order_id: int) -> tuple[Order, Member] | None:
    row = db.session.execute(
        select(Order, Member).join(Member, Member.id == Order.member_id).where(Order.id == order_id)
    ).first()
    return tuple(row) if row else None


def expired_holds(now: datetime) -> list[int]:
    return list(
        db.session.scalars(
            select(Order.id)
            .where(Order.status == "awaiting_payment", Order.hold_expires_at <= now)
            .order_by(Order.id)
        )
    )
