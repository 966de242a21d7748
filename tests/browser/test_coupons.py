"""Coupons in Chromium: a VIP1 coupon, an SVIP card coupon and a birthday coupon shown on a
phone and written off at the till against the order amount; the member sees them used."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from memberportal.core.clock import local_date, utcnow
from memberportal.extensions import db
from memberportal.memberships import demo as membership_demo
from tests import factories
from tests.browser.test_foundation import staff_sign_in
from tests.browser.test_mall import member_sign_in
from tests.coupon_helpers import (
    coupons_of,
    move_to_tier,
    occasion_coupons,
    paid_coupons,
    tier_coupons,
)

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


def test_birthday_month_member_sees_the_birthday_coupon_cashier_writes_it_off(phone, desk):
    occasion_coupons()
    member = factories.member(contact="13811116666", name="王芳")
    move_to_tier(member.id, "VIP2")  # the demo's birthday coupon is for VIP2 and above
    this_month = local_date(utcnow()).month
    member_sign_in(phone, "13811116666")
    phone.goto("/profile")
    phone.fill("#birthday", f"1994-{this_month:02d}-01")
    phone.locator("main button[type=submit]").click()
    expect(phone.get_by_test_id("coupons-link")).to_have_text("我的优惠券（3）")
    phone.get_by_test_id("coupons-link").click()
    gift = phone.get_by_test_id("coupon").filter(has_text="生日月无门槛20元券")
    expect(gift.get_by_test_id("coupon-reason")).to_have_text("生日月")
    expect(gift.get_by_test_id("coupon-amount")).to_have_text("减 ¥20.00")
    expect(gift.get_by_test_id("coupon-threshold")).to_have_text("无门槛")
    (coupon,) = [c for c in coupons_of(member.id) if c.reason_kind == "birthday"]
    last_day = local_date(coupon.expires_at)
    assert last_day.month == this_month and (last_day + timedelta(days=1)).day == 1
    expect(gift.get_by_test_id("coupon-expiry")).to_have_text(f"有效期至 {last_day.isoformat()}")
    shown = gift.get_by_test_id("coupon-code").inner_text()

    staff_sign_in(desk, factories.staff("cashier"))
    desk.goto("/merchant/coupons/write-off")
    desk.fill("#code", shown)
    desk.get_by_test_id("find-coupon").click()
    expect(desk.get_by_test_id("coupon-member")).to_contain_text("王芳")
    desk.fill("#order_amount", "35")
    desk.get_by_test_id("confirm-write-off").click()
    expect(desk.locator(".flash")).to_have_text(
        "优惠券已核销：订单 ¥35.00，减 ¥20.00（生日月无门槛20元券）。"
    )

    phone.reload()
    expect(phone.get_by_test_id("coupon").filter(has_text="生日月")).to_have_count(0)
    expect(phone.get_by_test_id("past-coupon")).to_contain_text("生日月无门槛20元券")
    used = [c for c in coupons_of(member.id) if c.id == coupon.id][0]
    assert (used.state, used.used_on_cents) == ("used", 3500)
    # Opening the pages again in the same month gives no second birthday coupon.
    phone.goto("/card")
    expect(phone.get_by_test_id("coupons-link")).to_have_text("我的优惠券（2）")
    assert [c.reason_kind for c in coupons_of(member.id)].count("birthday") == 1
