"""Coupon races: the database, not Python, decides who writes off a code and what is issued."""

import pytest

from memberportal.accounts.models import StaffUser
from memberportal.core.clock import utcnow
from memberportal.coupons import services
from memberportal.extensions import db
from tests import factories
from tests.concurrency.test_mall_races import run_threads
from tests.coupon_helpers import coupons_of, move_to_tier, tier_coupons

pytestmark = pytest.mark.concurrency


def test_six_cashiers_write_off_one_code_once(app):
    tier_coupons()
    member = factories.member()
    services.issue_tier_coupons(member.id, utcnow())
    code = coupons_of(member.id)[0].code  # plain values: threads must not touch this session
    staff_ids = [factories.staff("cashier").id for _ in range(6)]

    def write_off(staff_id):
        def job():
            services.write_off(code, actor=db.session.get(StaffUser, staff_id), now=utcnow())

        return job

    outcomes = run_threads(app, [write_off(s) for s in staff_ids])
    assert sorted(outcomes) == ["CouponAlreadyUsed"] * 5 + ["ok"], outcomes
    (after,) = coupons_of(member.id)
    assert after.state == "used"


def test_the_card_opened_on_six_devices_issues_each_coupon_once(app):
    tier_coupons()
    member_id = factories.member().id
    move_to_tier(member_id, "VIP4")

    def job():
        services.issue_tier_coupons(member_id, utcnow())

    outcomes = run_threads(app, [job] * 6)
    assert outcomes == ["ok"] * 6, outcomes
    assert sorted(c.amount_cents for c in coupons_of(member_id)) == [800, 1500, 2500, 4000]
