"""A small program made through the services, with figures worked out by hand.

Members (joined, brand time zone Asia/Shanghai; the report runs on 2026-06-15):
  A 2026-06-01 (June)  bought 200 yuan 10 days ago -> VIP2; redeemed a tote (100);
                       staff took 10
  B 2026-06-01 01:00 in Shanghai = 2026-05-31 17:00 UTC (June, not May); bought 50 yuan
                       5 days ago, fully refunded (50 points clawed back; not active)
  C 2026-03-10         bought 100 yuan 100 days ago (not active); redeemed a tote, cancelled
  D 2025-01-01         (before the 12 months); staff granted 30; 15 expired; two mugs (2 x 10)
Points: issued 200+50+100+30+15 = 395; redeemed 100+20 = 120; staff took 10; expired 15;
clawed back 50; outstanding 395-120-10-15-50 = 200 (A 90, C 100, D 10); rate 120/395 = 30.3%.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from memberportal.mall import services as mall
from memberportal.points import ledger
from memberportal.points.services import adjust_points
from memberportal.purchases.services import record_purchase, record_refund
from tests import factories
from tests.points_helpers import ACTOR

NOW = datetime(2026, 6, 15, 4, 0, tzinfo=UTC)


def joined(at: datetime, name: str):
    with time_machine.travel(at, tick=False):
        return factories.member(name=name)


def redeem(member_id: int, item_id: int, now: datetime):
    return mall.redeem(member_id, item_id, 1, mall.new_request_key(), actor=ACTOR, now=now)


def build() -> dict:
    a = joined(datetime(2026, 6, 1, 2, 0, tzinfo=UTC), "A")
    b = joined(datetime(2026, 5, 31, 17, 0, tzinfo=UTC), "B")
    c = joined(datetime(2026, 3, 10, 4, 0, tzinfo=UTC), "C")
    d = joined(datetime(2025, 1, 1, 4, 0, tzinfo=UTC), "D")
    tote = factories.mall_item(name_en="Canvas tote", points_price=100)
    mug = factories.mall_item(name_en="Mug", name_zh="马克杯", points_price=10)
    day = timedelta(days=1)
    record_purchase(a.id, 20000, "R-A", source="till", actor=ACTOR, now=NOW - 10 * day)
    bought = record_purchase(b.id, 5000, "R-B", source="till", actor=ACTOR, now=NOW - 5 * day)
    record_refund(bought.purchase_id, 5000, refund_ref="RF-B", actor=ACTOR, now=NOW - 4 * day)
    record_purchase(c.id, 10000, "R-C", source="till", actor=ACTOR, now=NOW - 100 * day)
    redeem(a.id, tote.id, NOW - day)
    cancelled = redeem(c.id, tote.id, NOW - day)
    mall.cancel(cancelled.id, actor=ACTOR, now=NOW - day, reason="changed mind")
    adjust_points(a.id, -10, reason="correction", actor=ACTOR, now=NOW - day)
    adjust_points(d.id, 30, reason="goodwill", actor=ACTOR, now=NOW - 3 * day)
    ledger.earn(
        d.id, 15, kind="campaign", source_type="test", source_id=None,
        expires_at=NOW - 2 * day, actor=ACTOR, now=NOW - 20 * day,
    )  # fmt: skip
    ledger.expire_due(NOW - day)
    redeem(d.id, mug.id, NOW - day)
    redeem(d.id, mug.id, NOW - day)
    return {"a": a.id, "b": b.id, "c": c.id, "d": d.id}
