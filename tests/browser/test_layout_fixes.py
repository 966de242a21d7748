"""Layout a person would trip over: a code split over two lines, a checkbox stretched across."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_foundation import staff_sign_in
from tests.browser.test_mall import member_sign_in
from tests.mall_helpers import redeem, rich_member

pytestmark = pytest.mark.browser

LINE_BOXES = (
    "el => { const r = document.createRange(); r.selectNodeContents(el); "
    "return new Set(Array.from(r.getClientRects()).map(b => Math.round(b.top))).size; }"
)


def test_a_redemption_code_stays_on_one_line_on_a_phone(phone):
    member = rich_member(1000, contact="13811114444")
    item = factories.mall_item(kind="virtual_code", points_price=800, codes=["DEMO-VIP-0001-ABCD"])
    order = redeem(member.id, item.id)
    member_sign_in(phone, "13811114444")
    phone.goto(f"/mall/orders/{order.id}")
    code = phone.get_by_test_id("virtual-codes").locator("li").first
    expect(code).to_have_text("DEMO-VIP-0001-ABCD")
    assert code.evaluate(LINE_BOXES) == 1
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_paid_only_checkbox_is_a_checkbox_not_a_bar(desk):
    item = factories.mall_item()
    staff_sign_in(desk, factories.staff("manager"))
    desk.goto(f"/merchant/mall/items/{item.id}")
    box = desk.locator("input[name=paid_only]").bounding_box()
    label = desk.locator("label[for=paid_only]").bounding_box()
    assert box["width"] < 40
    assert abs(box["x"] - label["x"]) < 8


def test_a_missing_address_marks_the_address_box_like_the_other_lines(phone):
    rich_member(1000, contact="13811115555")
    item = factories.mall_item(kind="shipped", points_price=300)
    member_sign_in(phone, "13811115555")
    phone.goto(f"/mall/items/{item.id}")
    phone.get_by_test_id("redeem").click()
    phone.get_by_test_id("confirm").click()
    border = "el => getComputedStyle(el).borderTopColor"
    name_box = phone.locator("[name=ship_name]").evaluate(border)
    assert phone.locator("[name=ship_address]").evaluate(border) == name_box
