"""The risk scan flags a burst of friends joining through one member's invite link in one
brand-local day: once per referrer and day, its count kept up to date."""

from datetime import timedelta

from memberportal.referrals.services import record_referral
from memberportal.risk import services
from memberportal.risk.models import REFERRAL_BURST
from tests import factories
from tests.points_helpers import ACTOR
from tests.risk_helpers import AFTER_MIDNIGHT, LATE, NOON, flags


def invite(referrer, n: int, at):
    for _ in range(n):
        record_referral(referrer.member_no, factories.member().id, actor=ACTOR, now=at)


def test_more_friends_than_the_limit_in_one_day_are_flagged_once():
    services.update_thresholds(
        big_purchase_cents=500_000, daily_purchases=8, refund_rate_pct=50, referrals_per_day=3,
        actor=ACTOR, now=NOON,
    )  # fmt: skip
    farmer, friendly = factories.member(), factories.member()
    invite(farmer, 3, NOON)
    invite(friendly, 2, NOON)
    services.scan(now=NOON + timedelta(minutes=1))
    assert flags(REFERRAL_BURST) == []  # 3 is the limit, not above it

    invite(farmer, 1, NOON + timedelta(hours=2))
    services.scan(now=NOON + timedelta(hours=2, minutes=1))
    [flag] = flags(REFERRAL_BURST)
    assert (flag.member_id, flag.purchase_count, flag.threshold) == (farmer.id, 4, 3)
    assert flag.subject == f"{farmer.id}:2026-03-10"

    invite(farmer, 2, NOON + timedelta(hours=3))
    services.scan(now=NOON + timedelta(hours=3, minutes=1))
    services.scan(now=NOON + timedelta(hours=3, minutes=2))  # a rerun adds nothing
    [flag] = flags(REFERRAL_BURST)
    assert flag.purchase_count == 6


def test_the_day_is_the_brand_local_day():
    services.update_thresholds(
        big_purchase_cents=500_000, daily_purchases=8, refund_rate_pct=50, referrals_per_day=2,
        actor=ACTOR, now=NOON,
    )  # fmt: skip
    m = factories.member()
    invite(m, 2, LATE)  # 23:30 on 10 March in Shanghai
    invite(m, 2, AFTER_MIDNIGHT)  # 00:30 on 11 March
    services.scan(now=AFTER_MIDNIGHT + timedelta(minutes=1))
    assert flags(REFERRAL_BURST) == []
    invite(m, 1, AFTER_MIDNIGHT + timedelta(minutes=5))
    services.scan(now=AFTER_MIDNIGHT + timedelta(minutes=6))
    [flag] = flags(REFERRAL_BURST)
    assert (flag.day.isoformat(), flag.purchase_count) == ("2026-03-11", 3)


def test_the_default_limit_is_five_a_day():
    assert services.thresholds().referrals_per_day == 5
    m = factories.member()
    invite(m, 6, NOON)
    services.scan(now=NOON + timedelta(minutes=1))
    assert [f.purchase_count for f in flags(REFERRAL_BURST)] == [6]
