"""A small program made through the services, with figures worked out by hand.

The brand's time zone is Asia/Shanghai (UTC+8); the report runs on 2026-06-15 12:00 there.
"This month" is 1-15 June (UTC 31 May 16:00 to 15 June 16:00), compared with 1-15 May.

Members (joined):
  A 2026-06-01 10:00 local. Bought 200 yuan on 5 June (-> VIP2, a tier move up); redeemed a
    tote (100) on 14 June; staff took 10 on 14 June.
  B 2026-06-01 01:00 local = 31 May 17:00 UTC: June, not May. Bought 50 yuan on 10 June, fully
    refunded on 11 June (50 points clawed back; the purchase is no order and no activity).
  C 2026-03-10. Bought 100 yuan on 17 March; a tote redeemed and cancelled on 14 June (counts
    nothing); a daily sign-in on 13 June (active in June: month 3 of the March cohort).
  D 2025-01-01 (before the 12 cohort months). Staff granted 30 on 12 June; a campaign's 15,
    earned 26 May, expired on 14 June; two mugs (2 x 10) on 14 June.
  E 2026-05-01 00:30 local = 30 April 16:30 UTC: May. Bought 80 yuan on 3 May, and 30 yuan on
    1 June 00:30 local = 31 May 16:30 UTC (June: month 1 of the May cohort).
  F 2026-04-30 23:30 local = 30 April 15:30 UTC: April. Two campaign credits on 14 June: 40
    expiring 25 June (this month) and 25 expiring at the end of 30 September local (in the next
    3 months; the bucket after starts 1 October 00:00 local).
The mall sells a coupon item: a 10-yuan coupon for 500 points (2 fen a point).

June: issued 200+50+30+30+40+25 = 375 (purchases 280, campaigns 65, staff 30); redeemed
100+20 = 120; expired 15; clawed back 50; staff took 10. May 1-15: issued 80 (E's purchase).
Open points: A 90, C 100, D 10, E 110, F 65 = 375 = all issued (570) - 120 - 10 - 15 - 50.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from memberportal.mall import services as mall
from memberportal.points import ledger
from memberportal.points.services import adjust_points, update_program_rules
from memberportal.purchases.services import record_purchase, record_refund
from memberportal.tiers.interactions import sign_in
from tests import factories
from tests.mall_coupon_helpers import coupon_item
from tests.points_helpers import ACTOR

NOW = datetime(2026, 6, 15, 4, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def joined(at: datetime, name: str):
    with time_machine.travel(at, tick=False):
        return factories.member(name=name)


def redeem(member_id: int, item_id: int, now: datetime):
    return mall.redeem(member_id, item_id, 1, mall.new_request_key(), actor=ACTOR, now=now)


def campaign(member_id: int, points: int, *, expires_at: datetime, now: datetime):
    ledger.earn(
        member_id, points, kind="campaign", source_type="test", source_id=None,
        expires_at=expires_at, actor=ACTOR, now=now,
    )  # fmt: skip


def build() -> dict:
    a = joined(datetime(2026, 6, 1, 2, 0, tzinfo=UTC), "A")
    b = joined(datetime(2026, 5, 31, 17, 0, tzinfo=UTC), "B")
    c = joined(datetime(2026, 3, 10, 4, 0, tzinfo=UTC), "C")
    d = joined(datetime(2025, 1, 1, 4, 0, tzinfo=UTC), "D")
    e = joined(datetime(2026, 4, 30, 16, 30, tzinfo=UTC), "E")
    f = joined(datetime(2026, 4, 30, 15, 30, tzinfo=UTC), "F")
    tote = factories.mall_item(name_en="Canvas tote", points_price=100)
    mug = factories.mall_item(name_en="Mug", name_zh="马克杯", points_price=10)
    coupon_item(points_price=500)
    record_purchase(a.id, 20000, "R-A", source="till", actor=ACTOR, now=NOW - 10 * DAY)
    bought = record_purchase(b.id, 5000, "R-B", source="till", actor=ACTOR, now=NOW - 5 * DAY)
    record_refund(bought.purchase_id, 5000, refund_ref="RF-B", actor=ACTOR, now=NOW - 4 * DAY)
    record_purchase(c.id, 10000, "R-C", source="till", actor=ACTOR, now=NOW - 90 * DAY)
    may_3 = datetime(2026, 5, 3, 4, 0, tzinfo=UTC)
    record_purchase(e.id, 8000, "R-E1", source="till", actor=ACTOR, now=may_3)
    june_1 = datetime(2026, 5, 31, 16, 30, tzinfo=UTC)
    record_purchase(e.id, 3000, "R-E2", source="till", actor=ACTOR, now=june_1)
    # The check-in makes c active; it earns no points here so that the hand-worked point
    # figures are those of purchases, campaigns, grants and redemptions.
    update_program_rules(actor=ACTOR, now=NOW - 3 * DAY, sign_in_points=0)
    sign_in(c.id, actor=ACTOR, now=NOW - 2 * DAY)
    redeem(a.id, tote.id, NOW - DAY)
    cancelled = redeem(c.id, tote.id, NOW - DAY)
    mall.cancel(cancelled.id, actor=ACTOR, now=NOW - DAY, reason="changed mind")
    adjust_points(a.id, -10, reason="correction", actor=ACTOR, now=NOW - DAY)
    adjust_points(d.id, 30, reason="goodwill", actor=ACTOR, now=NOW - 3 * DAY)
    campaign(d.id, 15, expires_at=NOW - 2 * DAY, now=NOW - 20 * DAY)
    ledger.expire_due(NOW - DAY)
    redeem(d.id, mug.id, NOW - DAY)
    redeem(d.id, mug.id, NOW - DAY)
    campaign(f.id, 40, expires_at=NOW + 10 * DAY, now=NOW - DAY)
    end_of_sep_30 = datetime(2026, 9, 30, 15, 59, 59, tzinfo=UTC)
    campaign(f.id, 25, expires_at=end_of_sep_30, now=NOW - DAY)
    return {"a": a.id, "b": b.id, "c": c.id, "d": d.id, "e": e.id, "f": f.id}
