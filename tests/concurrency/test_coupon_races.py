"""Coupon races: the database, not Python, decides who writes off a code and what is issued."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from memberportal.accounts.models import StaffUser
from memberportal.audit.models import AuditEntry
from memberportal.core.clock import utcnow
from memberportal.coupons import services
from memberportal.extensions import db
from tests import factories
from tests.concurrency.test_mall_races import run_threads
from tests.coupon_helpers import (
    coupons_of,
    move_to_tier,
    occasion_coupons,
    paid_card,
    paid_coupons,
    set_birthday,
    set_member_day,
    tier_coupons,
)

pytestmark = pytest.mark.concurrency


def test_six_cashiers_write_off_one_code_once(app):
    tier_coupons()
    member = factories.member()
    services.issue_tier_coupons(member.id, utcnow())
    code = coupons_of(member.id)[0].code  # plain values: threads must not touch this session
    staff_ids = [factories.staff("cashier").id for _ in range(6)]

    def write_off(staff_id):
        def job():
            staff = db.session.get(StaffUser, staff_id)
            services.write_off(code, order_cents=7900, actor=staff, now=utcnow())

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


def test_an_svip_card_opened_on_six_devices_issues_each_paid_coupon_once(app):
    paid_coupons()
    member_id = factories.member().id
    now = utcnow()
    card = paid_card(member_id, now - timedelta(days=3), now + timedelta(days=362))

    def job():
        services.issue_coupons(member_id, utcnow())

    outcomes = run_threads(app, [job] * 6)
    assert outcomes == ["ok"] * 6, outcomes
    paid = sorted((c.amount_cents, c.reason_key) for c in coupons_of(member_id) if c.from_paid_card)
    assert [amount for amount, _ in paid] == [3000, 5000]
    assert all(reason.startswith(f"paid:{card}:") for _, reason in paid)
    assert len(coupons_of(member_id)) == 3  # and VIP1's tier coupon, once


def test_a_birthday_on_the_member_day_opened_on_six_devices_issues_each_once(app):
    occasion_coupons()
    set_member_day(18)
    member_id = factories.member().id
    move_to_tier(member_id, "VIP2")
    set_birthday(member_id, date(1990, 11, 3))
    # Noon on 18 November in Shanghai: the birthday month and the member day at once. The
    # nightly command's batch runs alongside the members' own page loads.
    now = datetime(2027, 11, 18, 4, 0, tzinfo=UTC)

    def job():
        services.issue_coupons(member_id, now)

    def nightly():
        services.issue_all_coupons(now=now, batch=10)

    outcomes = run_threads(app, [job] * 5 + [nightly])
    assert outcomes == ["ok"] * 6, outcomes
    kinds = sorted((c.reason_kind, c.reason_key) for c in coupons_of(member_id))
    assert kinds == [
        ("birthday", "birthday:2027"),
        ("member_day", "memberday:2027-11"),
        ("tier", "tier"),
        ("tier", "tier"),
    ]
    issued = db.session.scalars(
        select(AuditEntry.reason).where(AuditEntry.action == "coupon.issued")
    ).all()
    assert sorted(issued) == ["birthday:2027", "memberday:2027-11", "tier", "tier"]
