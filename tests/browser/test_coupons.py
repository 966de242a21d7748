"""A member shows the VIP1 coupon on a phone, a cashier writes it off, the member sees it used."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_foundation import staff_sign_in
from tests.browser.test_mall import member_sign_in
from tests.coupon_helpers import coupons_of, tier_coupons

pytestmark = pytest.mark.browser


def test_vip1_coupon_shown_with_its_qr_written_off_at_the_till(phone, desk):
    tier_coupons()
    member = factories.member(contact="13811114444", name="李雷")
    member_sign_in(phone, "13811114444")
    expect(phone.get_by_test_id("coupons-link")).to_have_text("我的优惠券（1）")
    phone.get_by_test_id("coupons-link").click()
    coupon = phone.get_by_test_id("coupon")
    expect(coupon).to_have_count(1)
    expect(coupon.get_by_test_id("coupon-name")).to_have_text("满79减8")
    expect(coupon.get_by_test_id("coupon-amount")).to_have_text("减 ¥8.00")
    expect(coupon.get_by_test_id("coupon-threshold")).to_have_text("满 ¥79.00 可用")
    expect(coupon.get_by_test_id("coupon-expiry")).to_contain_text("有效期至 ")
    phone.wait_for_function(
        "() => document.querySelector('[data-testid=coupon-qr]').naturalWidth > 0"
    )
    shown = coupon.get_by_test_id("coupon-code").inner_text()
    assert shown.replace(" ", "") == coupons_of(member.id)[0].code

    staff_sign_in(desk, factories.staff("cashier"))
    desk.goto("/merchant/coupons/write-off")
    desk.fill("#code", shown.lower())
    desk.get_by_test_id("find-coupon").click()
    expect(desk.get_by_test_id("coupon-member")).to_contain_text("李雷")
    expect(desk.get_by_test_id("threshold-check")).to_have_text(
        "请确认订单金额达到 ¥79.00 后再减 ¥8.00。"
    )
    desk.get_by_test_id("confirm-write-off").click()
    expect(desk.locator(".flash")).to_have_text("优惠券已核销：减 ¥8.00（满79减8）。")

    phone.reload()
    expect(phone.get_by_test_id("coupon")).to_have_count(0)
    past = phone.get_by_test_id("past-coupon")
    expect(past).to_have_count(1)
    expect(past).to_contain_text("满79减8")
    expect(past).to_contain_text("已使用")
    assert coupons_of(member.id)[0].state == "used"
