"""What merchants measure, each figure from one set-based query (aggregates in SQL; no loop
over members in Python). Times are cut into months in the brand's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, select

from memberportal.core.clock import local_date, start_of_day
from memberportal.core.i18n import localized
from memberportal.extensions import db
from memberportal.mall.models import Item, Order
from memberportal.members.models import Member
from memberportal.memberships.models import BillingRecord, Membership
from memberportal.points.models import LedgerEntry, PointLot
from memberportal.points.rules import add_months
from memberportal.purchases.models import Purchase
from memberportal.tiers.models import Tier

ACTIVE_DAYS = 90
# Orders that never became one (unpaid cash part) or were called off do not count.
NOT_ORDERS = ("awaiting_payment", "cancelled")


def _total(expr, condition=None):
    """SUM(expr) (over rows meeting `condition`), 0 when there are none."""
    if condition is not None:
        expr = case((condition, expr), else_=0)
    return func.coalesce(func.sum(expr), 0)


@dataclass(frozen=True)
class MemberFigures:
    total: int
    active: int
    new_by_month: list[tuple[date, int]]  # (first day of the month, members who joined)


def member_figures(now: datetime, months: int = 12) -> MemberFigures:
    """Members in total, new members in each of the last `months` brand-local months (this
    one included), and members active (a purchase not fully refunded in the last 90 days)."""
    this_month = local_date(now).replace(day=1)
    firsts = [add_months(this_month, -back) for back in range(months - 1, -1, -1)]
    bounds = [start_of_day(d) for d in firsts] + [start_of_day(add_months(this_month, 1))]
    joined = Member.joined_at
    per_month = [
        _total(1, and_(joined >= low, joined < high))
        for low, high in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    total, *counts = db.session.execute(select(func.count(Member.id), *per_month)).one()
    active = db.session.scalar(
        select(func.count(func.distinct(Purchase.member_id))).where(
            Purchase.at >= now - timedelta(days=ACTIVE_DAYS),
            Purchase.refunded_cents < Purchase.amount_cents,
        )
    )
    return MemberFigures(int(total), int(active), list(zip(firsts, map(int, counts), strict=True)))


def tier_distribution() -> list[tuple[str, int]]:
    """(tier name, members) for every tier, lowest rank first (empty tiers show 0)."""
    rows = db.session.execute(
        select(Tier.name_zh, Tier.name_en, func.count(Member.id))
        .outerjoin(Member, Member.tier_id == Tier.id)
        .group_by(Tier.id, Tier.rank, Tier.name_zh, Tier.name_en)
        .order_by(Tier.rank)
    ).all()
    return [(localized(zh, en), int(n)) for zh, en, n in rows]


@dataclass(frozen=True)
class PointFigures:
    issued: int  # every credit: purchases, staff grants, campaigns
    redeemed: int  # spent on redemptions, net of what cancelled redemptions gave back
    taken_by_staff: int
    expired: int
    clawed_back: int  # taken back by refunds
    outstanding: int  # the liability: points still open in lots
    debt: int  # owed by members after refunds of points already spent


def point_figures() -> PointFigures:
    """Points issued, redeemed, expired and outstanding, from the ledger and the open lots.

    issued - redeemed - taken_by_staff - expired - clawed_back = outstanding - debt.
    """
    e = LedgerEntry
    redemption = and_(e.entry_type.in_(("spend", "give_back")), e.kind != "adjust")
    row = db.session.execute(
        select(
            _total(e.points, e.entry_type == "earn"),
            -_total(e.points, redemption),
            -_total(e.points, and_(e.entry_type == "spend", e.kind == "adjust")),
            -_total(e.points, e.entry_type == "expire"),
            -_total(e.points, e.entry_type == "clawback"),
        )
    ).one()
    outstanding = db.session.scalar(select(_total(PointLot.remaining)))
    debt = db.session.scalar(select(_total(Member.points_debt)))
    return PointFigures(*map(int, row), int(outstanding), int(debt))


@dataclass(frozen=True)
class PaidFigures:
    by_status: list[tuple[str, int]]
    payments_cents: int
    refunds_cents: int

    @property
    def revenue_cents(self) -> int:
        return self.payments_cents - self.refunds_cents


def paid_figures() -> PaidFigures:
    """Paid memberships by status, and the paid card's revenue to date (billing rows)."""
    by_status = db.session.execute(
        select(Membership.status, func.count(Membership.id))
        .group_by(Membership.status)
        .order_by(func.count(Membership.id).desc(), Membership.status)
    ).all()
    b = BillingRecord
    paid, refunded = db.session.execute(
        select(
            _total(b.amount_cents, b.kind == "payment"), _total(b.amount_cents, b.kind == "refund")
        )
    ).one()
    return PaidFigures([(s, int(n)) for s, n in by_status], int(paid), int(refunded))


@dataclass(frozen=True)
class ItemFigure:
    name: str
    orders: int
    quantity: int
    points: int


def top_items(limit: int = 5) -> list[ItemFigure]:
    """Mall items with the most orders (not cancelled, not awaiting payment)."""
    orders = func.count(Order.id)
    rows = db.session.execute(
        select(
            Item.name_zh, Item.name_en, orders, _total(Order.quantity), _total(Order.points_cost)
        )
        .join(Order, Order.item_id == Item.id)
        .where(Order.status.not_in(NOT_ORDERS))
        .group_by(Item.id, Item.name_zh, Item.name_en)
        .order_by(orders.desc(), Item.id)
        .limit(limit)
    ).all()
    return [ItemFigure(localized(zh, en), int(n), int(q), int(p)) for zh, en, n, q, p in rows]
