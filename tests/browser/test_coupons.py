"""Coupons in Chromium: a VIP1 coupon and an SVIP card coupon shown on a phone and written off
at the till against the order amount; the member sees them used."""

import pytest
from playwright.sync_api import expect

from memberportal.extensions import db
from memberportal.memberships import demo as membership_demo
from tests import factories
from tests.browser.test_foundation import staff_sign_in
from tests.browser.test_mall import member_sign_in
from tests.coupon_helpers import coupons_of, paid_coupons, tier_coupons

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
        "订单满 ¥79.00 可减 ¥8.00：请输入订单金额。"
    )
    desk.fill("#order_amount", "65")  # below the threshold: refused, still usable
    desk.get_by_test_id("confirm-write-off").click()
    expect(desk.get_by_test_id("write-off-error")).to_have_text(
        "此优惠券需满 ¥79.00 方可使用；本单金额为 ¥65.00。"
    )
    expect(desk.get_by_test_id("coupon-state")).to_contain_text("可使用")
    desk.fill("#order_amount", "79")
    desk.get_by_test_id("confirm-write-off").click()
    expect(desk.locator(".flash")).to_have_text("优惠券已核销：订单 ¥79.00，减 ¥8.00（满79减8）。")

    phone.reload()
    expect(phone.get_by_test_id("coupon")).to_have_count(0)
    past = phone.get_by_test_id("past-coupon")
    expect(past).to_have_count(1)
    expect(past).to_contain_text("满79减8")
    expect(past).to_contain_text("已使用")
    assert coupons_of(member.id)[0].state == "used"


def test_svip_member_pays_sees_the_50_coupon_cashier_writes_it_off_on_an_order(phone, desk):
    membership_demo.load()
    db.session.commit()
    paid_coupons()
    member = factories.member(contact="13811115555", name="韩梅梅")
    member_sign_in(phone, "13811115555")
    phone.goto("/membership/")
    phone.get_by_test_id("join-SVIP").click()
    phone.get_by_test_id("demo-pay").click()
    expect(phone.get_by_test_id("checkout-done")).to_be_visible()
    phone.goto("/card")
    expect(phone.get_by_test_id("coupons-link")).to_have_text("我的优惠券（3）")
    phone.get_by_test_id("coupons-link").click()
    fifty = phone.get_by_test_id("coupon").filter(has_text="SVIP 无门槛50元券")
    expect(fifty.get_by_test_id("coupon-amount")).to_have_text("减 ¥50.00")
    expect(fifty.get_by_test_id("coupon-threshold")).to_have_text("无门槛")
    expect(fifty.get_by_test_id("coupon-paid-card")).to_have_text("付费卡")
    (coupon,) = [c for c in coupons_of(member.id) if c.amount_cents == 5000]

    staff_sign_in(desk, factories.staff("cashier"))
    desk.goto(f"/merchant/members/{member.id}")
    row = desk.get_by_test_id("member-coupon").filter(has_text="SVIP 无门槛50元券")
    row.get_by_test_id(f"order-amount-{coupon.id}").fill("128.80")
    row.get_by_test_id(f"write-off-{coupon.id}").click()
    expect(desk.locator(".flash")).to_have_text(
        "优惠券已核销：订单 ¥128.80，减 ¥50.00（SVIP 无门槛50元券）。"
    )
    expect(desk.get_by_test_id("member-coupon")).to_have_count(2)

    phone.reload()
    expect(phone.get_by_test_id("coupon")).to_have_count(2)
    expect(phone.get_by_test_id("past-coupon")).to_contain_text("SVIP 无门槛50元券")
    used = [c for c in coupons_of(member.id) if c.id == coupon.id][0]
    assert (used.state, used.used_on_cents) == ("used", 12880)
