"""Points in a period (issued by source, redeemed, expired, clawed back, adjusted), month by
month, and the outstanding liability by when it expires. One grouped scan of the ledger each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select

from memberportal.core.clock import start_of_day
from memberportal.coupons.models import CouponTemplate
from memberportal.extensions import db
from memberportal.mall.models import Item
from memberportal.members.models import Member
from memberportal.points.models import LedgerEntry
from memberportal.reports.queries import Window, month_bounds, month_index, total

ADJUST = "adjust"


@dataclass
class PointFlows:
    """Points moved in one window, all as positive numbers."""

    issued_by_source: dict[str, int] = field(default_factory=dict)  # earn kind -> points
    redeemed: int = 0  # spent on redemptions, net of what cancelled redemptions gave back
    expired: int = 0
    clawed_back: int = 0  # taken back by refunds
    granted_by_staff: int = 0  # part of issued (source "adjust")
    taken_by_staff: int = 0

    @property
    def issued(self) -> int:
        return sum(self.issued_by_source.values())

    def add(self, entry_type: str, kind: str, points: int) -> None:
        """Count one (entry type, kind) group's sum of signed points."""
        if entry_type == "earn":
            self.issued_by_source[kind] = self.issued_by_source.get(kind, 0) + points
            if kind == ADJUST:
                self.granted_by_staff += points
        elif entry_type == "spend" and kind == ADJUST:
            self.taken_by_staff -= points
        elif entry_type in ("spend", "give_back"):
            self.redeemed -= points
        elif entry_type == "expire":
            self.expired -= points
        elif entry_type == "clawback":
            self.clawed_back -= points


@dataclass(frozen=True)
class LedgerSummary:
    windows: list[PointFlows]  # one per window asked for
    months: list[PointFlows]  # one per month


def ledger_summary(windows: list[Window], firsts: list[date]) -> LedgerSummary:
    """Point flows in each window and in each month of `firsts` (n + 1 brand-local month
    starts), from one grouped scan of the ledger: each row is keyed by its month and by the
    first window it falls in, and Python adds the few hundred groups up."""
    bounds = month_bounds(firsts)
    e = LedgerEntry
    window = case(*[(w.holds(e.at), i) for i, w in enumerate(windows)], else_=None)
    low = min([bounds[0], *(w.start_at for w in windows)])
    high = max([bounds[-1], *(w.end_at for w in windows)])
    rows = (
        select(
            month_index(e.at, bounds).label("m"),
            window.label("w"),
            e.entry_type,
            e.kind,
            e.points,
        )  # fmt: skip
        .where(e.at >= low, e.at < high)
        .subquery()
    )
    grouped = select(rows.c.m, rows.c.w, rows.c.entry_type, rows.c.kind, func.sum(rows.c.points))
    summary = LedgerSummary([PointFlows() for _ in windows], [PointFlows() for _ in bounds[1:]])
    # A row in two windows would count in the first only; a period and the one before it
    # never overlap.
    for m, w, entry_type, kind, points in db.session.execute(
        grouped.group_by(rows.c.m, rows.c.w, rows.c.entry_type, rows.c.kind)
    ).all():
        if m is not None:
            summary.months[int(m)].add(entry_type, kind, int(points))
        if w is not None:
            summary.windows[int(w)].add(entry_type, kind, int(points))
    return summary


@dataclass(frozen=True)
class Liability:
    buckets: list[int]  # open points expiring this month, in the next 3, the next 12, later
    debt: int  # owed by members after refunds of points already spent
    value_cents: int  # the mall's coupon items' face value ...
    for_points: int  # ... for this many points (0: no coupon item on sale)

    @property
    def outstanding(self) -> int:
        return sum(self.buckets)


def liability(bucket_starts: list[date]) -> Liability:
    """Open points by expiry bucket (lots not yet expired by the run count as this month),
    members' debt, and the yuan-per-point the mall's coupon items on sale give."""
    bounds = [start_of_day(d) for d in bucket_starts]
    # A lot is the earn entry that opened it; only those have a `remaining`.
    expires_at, remaining = LedgerEntry.expires_at, LedgerEntry.remaining
    bucket = case(*[(expires_at < b, i) for i, b in enumerate(bounds)], else_=len(bounds))
    lots = select(bucket.label("b"), remaining).where(remaining > 0).subquery()
    buckets = [0] * (len(bounds) + 1)
    for b, points in db.session.execute(
        select(lots.c.b, func.sum(lots.c.remaining)).group_by(lots.c.b)
    ).all():
        buckets[int(b)] = int(points)
    debt = db.session.scalar(select(total(Member.points_debt)).where(Member.points_debt > 0))
    value, points = db.session.execute(
        select(total(CouponTemplate.amount_cents), total(Item.points_price))
        .join(CouponTemplate, CouponTemplate.id == Item.coupon_template_id)
        .where(Item.kind == "coupon", Item.state == "on_sale", Item.points_price > 0)
    ).one()
    return Liability(buckets, int(debt), int(value), int(points))


def sources(flows: list[PointFlows]) -> list[str]:
    """Every earning source in any of the flows, largest first in the first."""
    seen = {kind for flow in flows for kind in flow.issued_by_source}
    first = flows[0].issued_by_source
    return sorted(seen, key=lambda kind: (-first.get(kind, 0), kind))
