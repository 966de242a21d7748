"""Members, activity, tiers and join-month cohorts: each figure from set-based SQL (aggregates
in the database, no loop over members in Python). Brand-local days and months arrive here as
UTC bounds (`Window`, `month_index`), so SQLite and PostgreSQL cut them the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, select, union_all

from memberportal.core.clock import start_of_day
from memberportal.core.i18n import localized
from memberportal.extensions import db
from memberportal.mall.models import Order
from memberportal.members.models import Member
from memberportal.purchases.models import Purchase
from memberportal.reports.rules import Period
from memberportal.tiers.models import SignIn, Tier, TierChange

# Orders that never became one (unpaid cash part) or were called off do not count.
NOT_ORDERS = ("awaiting_payment", "cancelled")


@dataclass(frozen=True)
class Window:
    """A period as UTC instants [start_at, end_at)."""

    start_at: datetime
    end_at: datetime

    @classmethod
    def of(cls, period: Period) -> Window:
        return cls(start_of_day(period.start), start_of_day(period.end))

    def holds(self, column):
        return and_(column >= self.start_at, column < self.end_at)


def total(expr, condition=None):
    """SUM(expr) (over rows meeting `condition`), 0 when there are none."""
    if condition is not None:
        expr = case((condition, expr), else_=0)
    return func.coalesce(func.sum(expr), 0)


def count_if(condition):
    return total(1, condition)


def month_index(column, bounds: list[datetime]):
    """Which of the months cut by `bounds` (n + 1 UTC instants) `column` falls in, 0 first;
    NULL outside them."""
    whens = [(column < high, i) for i, high in enumerate(bounds[1:])]
    return case((column < bounds[0], None), *whens, else_=None)


def month_bounds(firsts: list[date]) -> list[datetime]:
    return [start_of_day(d) for d in firsts]


@dataclass(frozen=True)
class MemberCounts:
    new: int
    total: int  # members at the end of the period
    before: int  # members at its start

    @property
    def growth(self) -> tuple[int, int]:
        """(new members, members at the start): the growth rate's parts."""
        return self.new, self.before


def member_counts(*windows: Window) -> list[MemberCounts]:
    """New members in each window, members at its end and at its start, in one scan."""
    joined = Member.joined_at
    columns = []
    for w in windows:
        columns += [count_if(w.holds(joined)), count_if(joined < w.end_at)]
        columns.append(count_if(joined < w.start_at))
    row = db.session.execute(select(*columns)).one()
    return [MemberCounts(*map(int, row[i : i + 3])) for i in range(0, len(row), 3)]


def activity(low: datetime, high: datetime):
    """(member_id, at) of what makes a member active: a purchase not fully refunded, a mall
    order that is one, a daily sign-in; between two instants."""
    return union_all(
        select(Purchase.member_id, Purchase.at.label("at")).where(
            Purchase.at >= low, Purchase.at < high, Purchase.refunded_cents < Purchase.amount_cents
        ),
        select(Order.member_id, Order.placed_at.label("at")).where(
            Order.placed_at >= low, Order.placed_at < high, Order.status.not_in(NOT_ORDERS)
        ),
        select(SignIn.member_id, SignIn.at.label("at")).where(SignIn.at >= low, SignIn.at < high),
    )


def active_members(*windows: Window) -> list[int]:
    """Members with a purchase, a redemption or a sign-in in each window: one COUNT(DISTINCT)
    per window over what happened in it (one pass over both windows would dedupe more rows
    than fit in memory on a large program)."""
    counts = []
    for w in windows:
        events = activity(w.start_at, w.end_at).subquery()
        counts.append(db.session.scalar(select(func.count(func.distinct(events.c.member_id)))))
    return [int(n) for n in counts]


def tier_distribution(*moments: datetime) -> list[tuple[str, list[int]]]:
    """(tier name, members in it at each moment) for every tier, lowest rank first.

    A member's tier changes only with a tier_changes row, so at a past moment a member was in
    the tier their first change after it moved them from, or else in the tier they hold now;
    only the changes since the moment are read (ids follow time: a row is written when its
    move happens)."""
    tiers = db.session.execute(select(Tier.id, Tier.name_zh, Tier.name_en).order_by(Tier.rank))
    tiers = tiers.all()
    counts = {tier_id: [0] * len(moments) for tier_id, _zh, _en in tiers}
    moved = TierChange.__table__.alias("moved")
    for i, at in enumerate(moments):
        first = (
            select(TierChange.member_id, func.min(TierChange.id).label("change_id"))
            .where(TierChange.at >= at)
            .group_by(TierChange.member_id)
            .subquery()
        )
        held = (
            select(func.coalesce(moved.c.from_tier_id, Member.tier_id).label("tier_id"))
            .select_from(Member)
            .outerjoin(first, first.c.member_id == Member.id)
            .outerjoin(moved, moved.c.id == first.c.change_id)
            .where(Member.joined_at < at)
            .subquery()
        )
        for tier_id, n in db.session.execute(
            select(held.c.tier_id, func.count()).group_by(held.c.tier_id)
        ).all():
            counts[tier_id][i] = int(n)
    return [(localized(zh, en), counts[tier_id]) for tier_id, zh, en in tiers]


@dataclass(frozen=True)
class TierMove:
    source: str
    target: str
    up: bool
    counts: tuple[int, ...]  # one per window


def tier_moves(*windows: Window) -> list[TierMove]:
    """Moves between tiers in each window, by (from, to), upward moves first."""
    src, dst, c = Tier.__table__.alias("src"), Tier.__table__.alias("dst"), TierChange
    counts = [count_if(w.holds(c.at)) for w in windows]
    rows = db.session.execute(
        select(
            src.c.name_zh,
            src.c.name_en,
            dst.c.name_zh,
            dst.c.name_en,
            src.c.rank,
            dst.c.rank,
            *counts,
        )
        .join(src, src.c.id == c.from_tier_id)
        .join(dst, dst.c.id == c.to_tier_id)
        .where(*[c.at >= min(w.start_at for w in windows), c.at < max(w.end_at for w in windows)])
        .group_by(
            src.c.id,
            dst.c.id,
            src.c.name_zh,
            src.c.name_en,
            dst.c.name_zh,
            dst.c.name_en,
            src.c.rank,
            dst.c.rank,
        )
        .order_by((dst.c.rank > src.c.rank).desc(), src.c.rank, dst.c.rank)
    ).all()
    return [
        TierMove(localized(fz, fe), localized(tz, te), tr > fr, tuple(map(int, n)))
        for fz, fe, tz, te, fr, tr, *n in rows
        if any(n)
    ]


@dataclass(frozen=True)
class Cohorts:
    months: list[date]  # first day of each join month, oldest first
    sizes: list[int]
    # active[c][k]: members of cohort c active k months after the month they joined
    active: list[list[int]]


def cohorts(firsts: list[date]) -> Cohorts:
    """Retention by join month: members who joined in each month of `firsts` (n + 1 month
    starts) and how many of them were active in each later month, up to the last one."""
    bounds = month_bounds(firsts)
    joined = month_index(Member.joined_at, bounds)
    n = len(firsts) - 1
    sizes = [0] * n
    members = (
        select(joined.label("c"))
        .where(Member.joined_at >= bounds[0], Member.joined_at < bounds[-1])
        .subquery()
    )
    for c, size in db.session.execute(
        select(members.c.c, func.count()).group_by(members.c.c)
    ).all():
        sizes[int(c)] = int(size)
    events = activity(bounds[0], bounds[-1]).subquery()
    pairs = (
        select(joined.label("c"), month_index(events.c.at, bounds).label("m"), events.c.member_id)
        .join(Member, Member.id == events.c.member_id)
        .where(Member.joined_at >= bounds[0], Member.joined_at < bounds[-1])
        .subquery()
    )
    active = [[0] * (n - c) for c in range(n)]
    for c, m, k in db.session.execute(
        select(pairs.c.c, pairs.c.m, func.count(func.distinct(pairs.c.member_id)))
        .where(pairs.c.m >= pairs.c.c)
        .group_by(pairs.c.c, pairs.c.m)
    ).all():
        active[int(c)][int(m) - int(c)] = int(k)
    return Cohorts(firsts[:-1], sizes, active)
