"""Purchases (orders, revenue, frequency, repurchase, spend bands) and the paid card (members,
joins, renewals, cancellations, revenue) in a window. Net amounts: refunds are taken off, and a
fully refunded purchase is no order."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.memberships.models import BillingRecord, Membership
from memberportal.purchases.models import Purchase
from memberportal.reports.queries import Window, count_if, total
from memberportal.reports.rules import SPEND_BANDS

NET = Purchase.amount_cents - Purchase.refunded_cents


def _orders_in(window: Window):
    return and_(window.holds(Purchase.at), Purchase.refunded_cents < Purchase.amount_cents)


@dataclass(frozen=True)
class Sales:
    orders: int
    revenue_cents: int
    buyers: int
    repeat_buyers: int  # buyers with two orders or more


def sales(*windows: Window) -> list[Sales]:
    """Orders, net revenue, buyers and repeat buyers in each window, from one scan of the
    purchases grouped by member."""
    orders = [count_if(_orders_in(w)).label(f"n{i}") for i, w in enumerate(windows)]
    cents = [total(NET, _orders_in(w)).label(f"c{i}") for i, w in enumerate(windows)]
    low, high = min(w.start_at for w in windows), max(w.end_at for w in windows)
    per_buyer = (
        select(*orders, *cents)
        .where(Purchase.at >= low, Purchase.at < high)
        .group_by(Purchase.member_id)
        .subquery()
    )
    columns = []
    for i in range(len(windows)):
        n, c = per_buyer.c[f"n{i}"], per_buyer.c[f"c{i}"]
        columns += [total(n), total(c), count_if(n >= 1), count_if(n >= 2)]
    row = db.session.execute(select(*columns)).one()
    return [Sales(*map(int, row[i : i + 4])) for i in range(0, len(row), 4)]


@dataclass(frozen=True)
class Band:
    members: int
    revenue_cents: int


def spend_bands(window: Window) -> list[Band]:
    """Members by their net spend in the window (SPEND_BANDS), and the revenue of each band.
    Members who had joined by the end and bought nothing are in the first band."""
    per_member = (
        select(func.sum(NET).label("cents"))
        .where(window.holds(Purchase.at))
        .group_by(Purchase.member_id)
        .subquery()
    )
    cents = per_member.c.cents
    whens = [(cents >= low, i) for i, low in reversed(list(enumerate(SPEND_BANDS))) if low > 0]
    banded = select(case(*whens, else_=0).label("band"), cents).subquery()
    bands = [Band(0, 0) for _ in SPEND_BANDS]
    for band, members, revenue in db.session.execute(
        select(banded.c.band, func.count(), func.sum(banded.c.cents)).group_by(banded.c.band)
    ).all():
        bands[int(band)] = Band(int(members), int(revenue))
    everyone = db.session.scalar(
        select(func.count(Member.id)).where(Member.joined_at < window.end_at)
    )
    buyers = sum(b.members for b in bands)
    bands[0] = Band(bands[0].members + max(int(everyone) - buyers, 0), bands[0].revenue_cents)
    return bands


@dataclass(frozen=True)
class Paid:
    members: int  # paid memberships running at the end of the window
    free_at_start: int  # members without one at its start
    joins: int
    renewals: int  # payments after a membership's first
    cancellations: int  # memberships that ended or were revoked
    payments_cents: int
    refunds_cents: int

    @property
    def revenue_cents(self) -> int:
        return self.payments_cents - self.refunds_cents


def _running_at(at):
    return and_(
        Membership.created_at < at, or_(Membership.ended_at.is_(None), Membership.ended_at >= at)
    )


def paid(window: Window) -> Paid:
    """The paid card in the window: from the memberships and their billing rows."""
    m = Membership
    running_end, running_start, joins, cancellations = db.session.execute(
        select(
            count_if(_running_at(window.end_at)),
            func.count(func.distinct(case((_running_at(window.start_at), m.member_id)))),
            count_if(window.holds(m.created_at)),
            count_if(window.holds(m.ended_at)),
        )
    ).one()
    members_at_start = db.session.scalar(
        select(func.count(Member.id)).where(Member.joined_at < window.start_at)
    )
    b, first = BillingRecord, BillingRecord.__table__.alias("first")
    earlier = (
        select(first.c.id)
        .where(
            first.c.membership_id == b.membership_id, first.c.kind == "payment", first.c.at < b.at
        )
        .exists()
    )
    payments, refunds, renewals = db.session.execute(
        select(
            total(b.amount_cents, b.kind == "payment"),
            total(b.amount_cents, b.kind == "refund"),
            count_if(and_(b.kind == "payment", earlier)),
        ).where(window.holds(b.at))
    ).one()
    return Paid(
        int(running_end),
        int(members_at_start) - int(running_start),
        int(joins),
        int(renewals),
        int(cancellations),
        int(payments),
        int(refunds),
    )
