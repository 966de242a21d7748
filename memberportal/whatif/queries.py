"""What a change of the program rules or the tiers would have done, before it is saved.

Over the purchases of the last 90 days: the points they earned and would have earned under
the change (rate, member day and its multiplier, tier multipliers; the paid card's
multiplier as it applied), how many of those points expire within the next 90 days under
each expiry policy, and how many members each tier would hold under the thresholds and the
interaction cap. Each figure is one set-based statement; the earning formula is the one of
points.rules (floor(cents x rate x best multiplier / 10^6), the best multiplier of tier,
member day and paid card, never below 100%).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Interval, and_, case, func, literal, select, union_all

from memberportal.core.clock import end_of_day, local_date, start_of_day
from memberportal.core.db import UTCDateTime
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.memberships.models import ENTITLED, Membership, Plan
from memberportal.memberships.rules import GRACE
from memberportal.points.models import EARN, LedgerEntry
from memberportal.purchases.models import Purchase
from memberportal.tiers.models import Tier, TierChange
from memberportal.whatif.rules import window, window_days


@dataclass(frozen=True)
class TierCount:
    tier: Tier
    now: int
    would: int


@dataclass(frozen=True)
class Preview:
    since: datetime
    purchases: int
    points_issued: int
    points_would: int
    expiring_now: int  # of the points issued in the window, expiring within 90 days
    expiring_would: int
    tiers: list[TierCount]

    @property
    def points_change(self) -> int:
        return self.points_would - self.points_issued


def preview(rules, *, now: datetime, tiers: dict[int, tuple[int, int]] | None = None) -> Preview:
    """The figures for `rules` (an object with the program rules' fields) and `tiers`
    ({tier id: (growth threshold, multiplier %)} for the tiers being changed)."""
    tiers = tiers or {}
    since, horizon = window(now)
    earned = _earnings(rules, tiers, since=since, now=now, horizon=horizon)
    return Preview(since, *earned, _tier_counts(rules.interaction_cap_pct, tiers))


def _greatest(*values):
    """The largest of integer expressions, portable (SQLite has no GREATEST)."""
    best = values[0]
    for value in values[1:]:
        best = case((value > best, value), else_=best)
    return best


def _days_table(rules, since: datetime, now: datetime):
    days = window_days(local_date(since), local_date(now), rules)
    stamp = UTCDateTime()
    return union_all(*[
        select(
            literal(start_of_day(d.day), stamp).label("start_at"),
            literal(end_of_day(d.day), stamp).label("end_at"),
            literal(1 if d.member_day else 0).label("member_day"),
            literal(end_of_day(d.expiry_day), stamp).label("expires_at"),
        )
        for d in days
    ]).cte("days")  # fmt: skip


def _tier_then(p):
    """The tier the member held at the purchase: the last move before it, else the tier
    they left by the first move from its moment on (a purchase earns before the growth it
    brings moves the member), else the tier they hold."""
    before = (
        select(TierChange.to_tier_id)
        .where(TierChange.member_id == p.c.member_id, TierChange.at < p.c.at)
        .order_by(TierChange.at.desc(), TierChange.id.desc())
        .limit(1)
        .correlate(p)
        .scalar_subquery()
    )
    after = (
        select(TierChange.from_tier_id)
        .where(TierChange.member_id == p.c.member_id, TierChange.at >= p.c.at)
        .order_by(TierChange.at, TierChange.id)
        .limit(1)
        .correlate(p)
        .scalar_subquery()
    )
    # Explicit correlation: these sit two levels down (inside the tier's multiplier lookup).
    held = select(Member.tier_id).where(Member.id == p.c.member_id).correlate(p).scalar_subquery()
    return func.coalesce(before, after, held)


def _tier_multiplier(tier_id, tiers: dict[int, tuple[int, int]]):
    saved = select(Tier.points_multiplier_pct).where(Tier.id == tier_id).scalar_subquery()
    if not tiers:
        return saved
    return case(*[(tier_id == tid, mult) for tid, (_t, mult) in tiers.items()], else_=saved)


def _card_multiplier(p):
    """The paid card's multiplier as earning at the purchase's moment would see it
    (memberships.queries.active_benefits: an entitled membership whose period ends after
    that moment less the grace), else 0."""
    return func.coalesce(
        select(Plan.points_multiplier_pct)
        .join(Membership, Membership.plan_id == Plan.id)
        .where(
            Membership.member_id == p.c.member_id,
            Membership.status.in_(ENTITLED),
            Membership.current_period_end > _minus(p.c.at, GRACE),
        )
        .order_by(Membership.current_period_end.desc())
        .limit(1)
        .correlate(p)
        .scalar_subquery(),
        0,
    )


def _minus(moment, delta):
    """`moment - delta` in SQL: PostgreSQL subtracts an interval; SQLite, which keeps UTC
    datetimes as text, shifts it with datetime()."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.datetime(moment, f"-{int(delta.total_seconds())} seconds")
    return moment - literal(delta, Interval())


def _earnings(rules, tiers, *, since: datetime, now: datetime, horizon: datetime):
    days = _days_table(rules, since, now)
    p = Purchase.__table__.alias("p")
    entry = LedgerEntry.__table__.alias("e")
    member_day = case((days.c.member_day == 1, rules.member_day_multiplier_pct), else_=0)
    best = _greatest(
        literal(100), _tier_multiplier(_tier_then(p), tiers), member_day, _card_multiplier(p)
    )
    would = (p.c.amount_cents * rules.rate_pct * best) // 1_000_000
    rows = (
        select(
            p.c.points_earned.label("issued"),
            would.label("would"),
            days.c.expires_at.label("would_expires"),
            entry.c.expires_at.label("expires"),
        )
        .select_from(p)
        .join(days, and_(p.c.at >= days.c.start_at, p.c.at <= days.c.end_at))
        .outerjoin(
            entry,
            and_(
                entry.c.source_type == "purchase",
                entry.c.source_id == p.c.id,
                entry.c.entry_type == EARN,
            ),
        )
        .where(p.c.at > since, p.c.at <= now)
        .subquery()
    )
    soon = literal(horizon, UTCDateTime())
    totals = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(rows.c.issued), 0),
            func.coalesce(func.sum(rows.c.would), 0),
            func.coalesce(func.sum(case((rows.c.expires <= soon, rows.c.issued), else_=0)), 0),
            func.coalesce(func.sum(case((rows.c.would_expires <= soon, rows.c.would), else_=0)), 0),
        )
    ).one()
    return tuple(int(value) for value in totals)


def _tier_counts(cap_pct: int, tiers: dict[int, tuple[int, int]]) -> list[TierCount]:
    """Members per tier now, and per the tier their growth reaches under the thresholds and
    cap (where the tiers job puts them: up at once, down at the end of their period)."""
    ladder = Tier.__table__.alias("ladder")
    threshold = ladder.c.growth_threshold
    if tiers:
        threshold = case(
            *[(ladder.c.id == tid, t) for tid, (t, _m) in tiers.items()], else_=threshold
        )
    members = Member.__table__
    counted = members.c.growth_spend + case(
        (members.c.growth_interaction < threshold * cap_pct // 100, members.c.growth_interaction),
        else_=threshold * cap_pct // 100,
    )
    reached = (
        select(func.max(ladder.c.rank))
        .where(ladder.c.retired_at.is_(None), counted >= threshold)
        .scalar_subquery()
        .label("rank")
    )
    would = _count_by_rank(reached)
    now = dict(
        db.session.execute(
            select(members.c.tier_id, func.count()).group_by(members.c.tier_id)
        ).all()
    )
    ladder_now = db.session.scalars(select(Tier).order_by(Tier.rank)).all()
    return [
        TierCount(t, now.get(t.id, 0), would.get(t.rank, 0))
        for t in ladder_now
        if t.retired_at is None or now.get(t.id)
    ]


def _count_by_rank(reached) -> dict[int, int]:
    ranks = select(reached).select_from(Member.__table__).subquery()
    return dict(db.session.execute(select(ranks.c.rank, func.count()).group_by(ranks.c.rank)).all())
