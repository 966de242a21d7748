"""The codes as the pages serve them, photographed from the screen and read by a decoder."""

import io

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from memberportal.core.clock import utcnow
from memberportal.coupons import services as coupons
from tests import factories
from tests.browser.test_foundation import staff_sign_in
from tests.browser.test_mall import member_sign_in
from tests.coupon_helpers import coupons_of, template
from tests.mall_helpers import redeem
from tests.points_helpers import earn

pytestmark = pytest.mark.browser


def read(page, test_id: str) -> str:
    shot = page.get_by_test_id(test_id).first.screenshot()
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)).convert("L"))
    assert found.format == zxingcpp.BarcodeFormat.QRCode, found.format
    return found.text


def test_card_coupon_and_pickup_codes_read_back_as_shown(phone):
    member = factories.member(contact="13900000432")
    earn(member.id, 1000)
    made = template(tier_id=factories.tier("VIP1").id, amount_cents=800, min_spend_cents=7900)
    coupons.issue_tier_coupons(member.id, utcnow())
    coupon = next(c for c in coupons_of(member.id) if c.template_id == made.id)
    order = redeem(member.id, factories.mall_item(points_price=300, stock=3).id)
    assert order.pickup_code

    member_sign_in(phone, "13900000432")
    phone.goto("/card")
    shown = phone.get_by_test_id("card-code").get_attribute("data-code")
    assert shown.startswith(member.member_no) and read(phone, "card-qr") == shown
    phone.goto("/coupons/")
    assert read(phone, "coupon-qr") == coupon.code
    phone.goto(f"/mall/orders/{order.id}")
    assert read(phone, "pickup-qr") == order.pickup_code


def test_the_password_reset_link_reads_back_and_opens_the_reset_page(desk, phone):
    member = factories.member(contact="13900000433")
    staff_sign_in(desk, factories.staff("cashier"))
    desk.goto(f"/merchant/members/{member.id}")
    desk.get_by_test_id("issue-reset").click()
    link = read(desk, "reset-qr")
    assert link.startswith("http://127.0.0.1:")
    phone.goto(link)
    expect(phone.locator("input[type=password]").first).to_be_visible()
