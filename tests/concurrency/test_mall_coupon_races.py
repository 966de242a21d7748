"""Coupon-item races: the last units go to as many members as there are, each with one coupon;
a write-off and a cancel of the same coupon order never both win."""

import pytest
from sqlalchemy import select

from memberportal.accounts.models import StaffUser
from memberportal.core.clock import utcnow
from memberportal.coupons import services as coupon_services
from memberportal.coupons.models import Coupon
from memberportal.extensions import db
from memberportal.mall import services
from memberportal.mall.models import Order
from tests import factories
from tests.concurrency.test_mall_races import redeem_job, run_threads
from tests.mall_coupon_helpers import coupon_item, mall_coupons
from tests.mall_helpers import balance, order_count, redeem, rich_member, stock
from tests.points_helpers import assert_invariants

pytestmark = pytest.mark.concurrency


def test_twenty_members_redeem_the_last_three_coupons(app):
    item = coupon_item(points_price=500, stock=3)
    members = [rich_member(600).id for _ in range(20)]
    outcomes = run_threads(app, [redeem_job(m, item.id) for m in members])
    assert outcomes.count("ok") == 3, outcomes
    assert outcomes.count("OutOfStock") == 17, outcomes
    assert stock(item.id) == 0 and order_count() == 3
    winners = {o.member_id: o for o in db.session.scalars(select(Order))}
    coupons = mall_coupons()
    assert sorted(c.member_id for c in coupons) == sorted(winners)
    assert {c.reason_key for c in coupons} == {f"mall:{o.id}" for o in winners.values()}
    for member_id in members:
        assert balance(member_id) == (100 if member_id in winners else 600)
        assert_invariants(member_id)


def _write_off_and_cancel(app, order_id: int, code: str):
    cashier_id, manager_id = factories.staff("cashier").id, factories.staff("manager").id

    def write_off():
        cashier = db.session.get(StaffUser, cashier_id)
        coupon_services.write_off(code, order_cents=5900, actor=cashier, now=utcnow())

    def cancel():
        manager = db.session.get(StaffUser, manager_id)
        services.cancel(order_id, actor=manager, now=utcnow(), reason="changed mind")

    return run_threads(app, [write_off, cancel])


def test_a_write_off_and_a_cancel_at_once_exactly_one_wins(app):
    item = coupon_item(points_price=500, stock=10)
    rounds = []
    for _ in range(4):
        member_id = rich_member(500).id
        order = redeem(member_id, item.id)
        code = order.coupon.code  # plain values: threads must not touch this session
        outcomes = _write_off_and_cancel(app, order.id, code)
        db.session.expire_all()
        coupon = db.session.scalar(select(Coupon).where(Coupon.id == order.coupon_id))
        status = db.session.get(Order, order.id).status
        if outcomes == ["ok", "ok"]:
            pytest.fail(f"both won: {outcomes}")
        assert sorted(outcomes) in (["CouponOrderUsed", "ok"], ["CouponVoid", "ok"]), outcomes
        if "CouponOrderUsed" in outcomes:  # the write-off won
            assert (coupon.state, status, balance(member_id)) == ("used", "fulfilled", 0)
        else:  # the cancel won
            assert (coupon.state, status, balance(member_id)) == ("void", "cancelled", 500)
        assert_invariants(member_id)
        rounds.append(coupon.state)
    used = rounds.count("used")
    assert stock(item.id) == 10 - used
