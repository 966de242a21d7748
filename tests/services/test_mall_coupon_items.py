"""Coupon items: redeeming issues one coupon, cancelling voids it, a used coupon holds the order."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from memberportal.audit.models import AuditEntry
from memberportal.core.clock import brand_tz, end_of_day, local_date, utcnow
from memberportal.coupons import mall_coupons, template_services
from memberportal.coupons import services as coupon_services
from memberportal.coupons.errors import CouponVoid, TemplateNotForMall, TemplateRuleBroken
from memberportal.coupons.models import Coupon, CouponTemplate
from memberportal.extensions import db
from memberportal.mall import catalog_services as catalog
from memberportal.mall import payments, services
from memberportal.mall.errors import CatalogRuleBroken, CouponOrderUsed, NotCancellable
from memberportal.mall.models import Item, Order
from tests import factories
from tests.coupon_helpers import coupons_of, move_to_tier, template
from tests.mall_coupon_helpers import coupon_item, coupon_total, mall_template
from tests.mall_coupon_helpers import mall_coupons as mall_coupons_of
from tests.mall_helpers import balance, order_count, redeem, rich_member, stock
from tests.points_helpers import ACTOR, assert_invariants


def shanghai(day_offset: int, hour: int, minute: int) -> datetime:
    """A wall-clock moment in the brand's time zone, `day_offset` days from today, as UTC."""
    day = local_date(utcnow()) + timedelta(days=day_offset)
    return datetime.combine(day, time(hour, minute), tzinfo=brand_tz()).astimezone(UTC)


@pytest.mark.parametrize(
    ("hour", "minute", "local_day_offset"),
    [(23, 30, 0), (0, 30, 0)],
    ids=["23:30 Shanghai (15:30 UTC, same day)", "00:30 Shanghai (16:30 UTC, day before)"],
)
def test_redeeming_issues_one_coupon_valid_for_its_brand_local_days(hour, minute, local_day_offset):
    member = rich_member(1000)
    item = coupon_item(points_price=500, stock=10)
    now = shanghai(2, hour, minute)
    order = redeem(member.id, item.id, now=now)
    assert (order.status, order.points_cost, order.fulfilled_at) == ("fulfilled", 500, now)
    assert order.pickup_code is None
    assert balance(member.id) == 500 and stock(item.id) == 9
    (coupon,) = coupons_of(member.id)
    assert coupon.id == order.coupon_id and coupon.reason_key == f"mall:{order.id}"
    assert (coupon.amount_cents, coupon.min_spend_cents, coupon.state) == (1000, 5900, "issued")
    assert coupon.issued_at == now
    # Valid for 30 days counting the brand-local day of the redemption.
    local_day = local_date(utcnow()) + timedelta(days=2)
    assert local_date(now) == local_day
    assert coupon.expires_at == end_of_day(local_day + timedelta(days=29))
    assert coupon.reason_kind == "mall" and coupon.mall_order_id == order.id
    assert_invariants(member.id)
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"mall.order_placed", "coupon.issued"} <= actions


def test_the_0030_edge_is_a_day_later_than_2330_the_evening_before():
    member = rich_member(2000)
    item = coupon_item(points_price=500)
    evening = redeem(member.id, item.id, now=shanghai(3, 23, 30))
    after_midnight = redeem(member.id, item.id, now=shanghai(4, 0, 30))
    assert after_midnight.coupon.expires_at - evening.coupon.expires_at == timedelta(days=1)
    # An hour apart in UTC, a day apart in expiry.
    assert after_midnight.placed_at - evening.placed_at == timedelta(hours=1)


def test_a_retried_order_issues_no_second_coupon():
    member = rich_member(1000)
    item = coupon_item(points_price=100)
    key = "retry-key-0123456789abc"
    first = redeem(member.id, item.id, key=key)
    again = redeem(member.id, item.id, key=key)
    assert again.id == first.id and order_count() == 1
    # Issuing for the same order once more (a retry inside the service) finds the same coupon.
    coupon = mall_coupons.issue_for_mall_order(
        member.id, item.coupon_template_id, first.id, actor=ACTOR, now=utcnow()
    )
    db.session.commit()
    assert coupon.id == first.coupon_id
    assert len(mall_coupons_of(member.id)) == 1 and balance(member.id) == 900
    issued = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "coupon.issued"))
    assert len(list(issued)) == 1


def test_two_units_in_one_order_are_refused_by_the_limit_but_two_orders_give_two_coupons():
    member = rich_member(2000)
    item = coupon_item(points_price=500, per_member_limit=2)
    one, two = redeem(member.id, item.id), redeem(member.id, item.id)
    assert one.coupon_id != two.coupon_id
    reasons = [c.reason_key for c in mall_coupons_of(member.id)]
    assert reasons == [f"mall:{one.id}", f"mall:{two.id}"]
    assert balance(member.id) == 1000 and stock(item.id) == 8


def test_staff_cancel_voids_the_coupon_and_returns_points_and_stock():
    member = rich_member(1000)
    item = coupon_item(points_price=500, stock=10)
    order = redeem(member.id, item.id)
    cashier = factories.staff("cashier")
    now = utcnow()
    cancelled = services.cancel(order.id, actor=cashier, now=now, reason="changed mind")
    assert cancelled.status == "cancelled"
    assert balance(member.id) == 1000 and stock(item.id) == 10
    (coupon,) = coupons_of(member.id)
    assert (coupon.state, coupon.voided_at, coupon.used_at) == ("void", now, None)
    assert_invariants(member.id)
    # The void coupon cannot be written off, and cancelling again changes nothing.
    with pytest.raises(CouponVoid):
        coupon_services.write_off(coupon.code, order_cents=9900, actor=cashier, now=utcnow())
    services.cancel(order.id, actor=cashier, now=utcnow(), reason="again")
    assert balance(member.id) == 1000 and stock(item.id) == 10
    assert coupons_of(member.id)[0].state == "void"
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.count("coupon.voided") == 1 and actions.count("mall.order_cancelled") == 1


def test_the_member_may_cancel_their_own_unused_coupon_order():
    member = rich_member(1000)
    order = redeem(member.id, coupon_item(points_price=300).id)
    services.cancel(
        order.id, actor=member, now=utcnow(), reason="cancelled by the member", member_id=member.id
    )
    assert balance(member.id) == 1000 and coupons_of(member.id)[0].state == "void"


def test_cancel_after_write_off_is_refused_and_changes_nothing():
    member = rich_member(1000)
    item = coupon_item(points_price=500, stock=10)
    order = redeem(member.id, item.id)
    cashier = factories.staff("cashier")
    coupon_services.write_off(order.coupon.code, order_cents=5900, actor=cashier, now=utcnow())
    with pytest.raises(CouponOrderUsed) as refused:
        services.cancel(order.id, actor=cashier, now=utcnow(), reason="too late")
    # Chinese outside a request.
    assert str(refused.value.message) == "此订单的优惠券已被使用，订单不能取消。"
    assert isinstance(refused.value, NotCancellable)
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "fulfilled"
    assert balance(member.id) == 500 and stock(item.id) == 9
    (coupon,) = coupons_of(member.id)
    assert (coupon.state, coupon.used_on_cents, coupon.voided_at) == ("used", 5900, None)
    assert not db.session.scalar(
        select(AuditEntry.id).where(AuditEntry.action == "mall.order_cancelled")
    )


def test_a_released_hold_never_cancels_a_fulfilled_coupon_order():
    member = rich_member(1000)
    order = redeem(member.id, coupon_item().id)
    with pytest.raises(NotCancellable):
        services.cancel(order.id, actor=ACTOR, now=utcnow(), reason="hold", unpaid_only=True)
    assert coupons_of(member.id)[0].state == "issued" and balance(member.id) == 500


def test_a_points_and_cash_coupon_is_issued_when_the_payment_lands():
    member = rich_member(1000)
    item = coupon_item(points_price=200, cash_cents=990)
    order = redeem(member.id, item.id)
    assert order.status == "awaiting_payment" and order.coupon_id is None
    assert mall_coupons_of(member.id) == []
    session = {
        "id": "cs_test_coupon",
        "mode": "payment",
        "payment_status": "paid",
        "amount_total": 990,
        "payment_intent": "pi_test_coupon",
    }
    assert payments.confirm_payment(order.id, session, now=utcnow()) == ("applied", None)
    db.session.expire_all()
    paid = db.session.get(Order, order.id)
    assert paid.status == "fulfilled" and paid.coupon.reason_key == f"mall:{order.id}"
    assert balance(member.id) == 800


def test_a_deactivated_coupon_stops_redemptions_and_nothing_changes():
    member = rich_member(1000)
    item = coupon_item(points_price=500)
    template_services.set_template_active(item.coupon_template_id, False, actor=ACTOR, now=utcnow())
    with pytest.raises(TemplateNotForMall):
        redeem(member.id, item.id)
    assert order_count() == 0 and balance(member.id) == 1000 and stock(item.id) == 10
    assert coupon_total() == 0


def test_mall_templates_are_never_issued_lazily_or_nightly():
    mall_template()
    template(name_en="no tier, tier source", tier_id=None)
    member = rich_member(0)
    move_to_tier(member.id, "VIP4")
    coupon_services.issue_coupons(member.id, utcnow())
    coupon_services.issue_all_coupons(now=utcnow())
    db.session.commit()
    assert coupon_total() == 0


def test_a_mall_template_has_no_tier():
    with pytest.raises(TemplateRuleBroken) as refused:
        mall_template(tier_id=factories.tier("VIP2").id)
    assert refused.value.details["field"] == "mall_tier"
    db.session.rollback()
    assert db.session.scalar(select(CouponTemplate.id)) is None


def _input(**kw):
    fields = {
        "name_zh": "券",
        "name_en": "Coupon",
        "category_id": factories.mall_category().id,
        "kind": "coupon",
        "points_price": 500,
        **kw,
    }
    return catalog.ItemInput(**fields)


@pytest.mark.parametrize(
    "case", ["no template", "pickup with template", "tier template", "inactive template"]
)
def test_the_catalog_refuses_a_coupon_item_without_an_active_mall_coupon(case):
    mall = mall_template()
    kw = {"coupon_template_id": mall.id}
    if case == "no template":
        kw = {}
    elif case == "pickup with template":
        kw["kind"] = "pickup"
    elif case == "tier template":
        kw["coupon_template_id"] = template(tier_id=factories.tier("VIP1").id).id
    else:
        template_services.set_template_active(mall.id, False, actor=ACTOR, now=utcnow())
    with pytest.raises(CatalogRuleBroken) as refused:
        catalog.create_item(_input(**kw), actor=ACTOR, now=utcnow(), stock=5)
    assert refused.value.details["field"] == "coupon_template_id"
    db.session.rollback()
    assert db.session.scalar(select(Item.id)) is None


def test_the_database_holds_the_coupon_item_rules():
    mall = mall_template()
    category = factories.mall_category()
    base = {"name_zh": "x", "name_en": "x", "category_id": category.id, "points_price": 1}
    for kind, template_id in (("coupon", None), ("pickup", mall.id)):
        with pytest.raises(IntegrityError):
            db.session.execute(
                insert(Item).values(**base, kind=kind, coupon_template_id=template_id)
            )
        db.session.rollback()
    with pytest.raises(IntegrityError):  # a template that does not exist
        db.session.execute(insert(Item).values(**base, kind="coupon", coupon_template_id=99999))
        db.session.flush()
    db.session.rollback()


def test_the_database_holds_the_void_state():
    member = rich_member(1000)
    order = redeem(member.id, coupon_item().id)
    for values in ({"state": "void"}, {"state": "voided", "voided_at": utcnow()}):
        with pytest.raises(IntegrityError):
            db.session.execute(update(Coupon).where(Coupon.id == order.coupon_id).values(**values))
        db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.execute(
            update(CouponTemplate)
            .where(CouponTemplate.id == order.item.coupon_template_id)
            .values(tier_id=factories.tier("VIP1").id)
        )
    db.session.rollback()
