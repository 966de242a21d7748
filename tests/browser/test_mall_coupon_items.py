"""A coupon item in Chromium: a member redeems it on a phone, finds it in My coupons at once,
and a cashier writes it off at the till; the member's order then cannot be cancelled."""

import pytest
from playwright.sync_api import expect

from memberportal.extensions import db
from memberportal.mall.models import Order
from tests import factories
from tests.browser.test_foundation import staff_sign_in
from tests.browser.test_mall import member_sign_in
from tests.coupon_helpers import coupons_of
from tests.mall_coupon_helpers import coupon_item
from tests.mall_helpers import balance, stock
from tests.points_helpers import earn

pytestmark = pytest.mark.browser


def test_member_redeems_a_coupon_on_a_phone_and_a_cashier_writes_it_off(phone, desk):
    member = factories.member(contact="13811116666", name="李雷")
    earn(member.id, 800)
    item = coupon_item(points_price=500, stock=5)
    member_sign_in(phone, "13811116666")
    phone.click("text=积分商城")
    card = phone.locator(f"[data-item-id='{item.id}']")
    expect(card).to_contain_text("剩余 5 件")
    card.get_by_role("link", name="兑换").click()
    expect(phone.get_by_test_id("item-coupon")).to_contain_text("满 ¥59.00 可用")
    phone.get_by_test_id("redeem").click()
    expect(phone.get_by_test_id("balance-after")).to_have_text("300")
    phone.get_by_test_id("confirm").click()
    expect(phone.get_by_test_id("order-status")).to_have_text("已完成")
    expect(phone.get_by_test_id("points-balance")).to_have_text("300")
    expect(phone.get_by_test_id("order-coupon")).to_contain_text("满59减10")
    expect(phone.get_by_test_id("pickup-code")).to_have_count(0)
    order_id = int(phone.get_by_test_id("order-id").inner_text())

    phone.get_by_test_id("see-coupon").click()
    coupon = phone.locator("[data-testid=coupon]", has_text="积分商城兑换")
    expect(coupon).to_have_count(1)
    expect(coupon.get_by_test_id("coupon-amount")).to_have_text("减 ¥10.00")
    expect(coupon.get_by_test_id("coupon-order")).to_have_text(f"订单 {order_id}")
    phone.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=coupon-qr]')]"
        ".every(img => img.naturalWidth > 0)"
    )
    # Nothing is wider than the phone's screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= phone.viewport_size["width"]
    shown = coupon.get_by_test_id("coupon-code").inner_text()
    (issued,) = [c for c in coupons_of(member.id) if c.reason_key == f"mall:{order_id}"]
    assert shown.replace(" ", "") == issued.code

    staff_sign_in(desk, factories.staff("cashier"))
    desk.goto("/merchant/coupons/write-off")
    desk.fill("#code", shown)
    desk.get_by_test_id("find-coupon").click()
    expect(desk.get_by_test_id("coupon-member")).to_contain_text("李雷")
    desk.fill("#order_amount", "59")
    desk.get_by_test_id("confirm-write-off").click()
    expect(desk.locator(".flash")).to_contain_text("优惠券已核销")

    phone.goto(f"/mall/orders/{order_id}")
    expect(phone.get_by_test_id("order-coupon")).to_contain_text("使用于")
    expect(phone.get_by_test_id("cancel-order")).to_have_count(0)
    phone.goto("/coupons/")
    past = phone.get_by_test_id("past-coupon")
    expect(past).to_contain_text("满59减10")
    expect(past).to_contain_text("已使用")
    db.session.expire_all()
    assert db.session.get(Order, order_id).status == "fulfilled"
    assert balance(member.id) == 300 and stock(item.id) == 4
