"""A manager sees the flag a big purchase raised, marks it reviewed and freezes the member; the
member's redemption on a phone is then refused with the store's words, and nothing moves."""

import pytest
from playwright.sync_api import expect

from memberportal.core.clock import utcnow
from tests import factories
from tests.browser.test_foundation import staff_sign_in
from tests.browser.test_mall import member_sign_in
from tests.mall_helpers import balance, order_count, stock
from tests.risk_helpers import buy, flags

pytestmark = pytest.mark.browser


def test_a_manager_reviews_a_big_purchase_and_freezes_the_member(desk, phone):
    member = factories.member(contact="13811119999", name="李雷")
    buy(member.id, 680_000, utcnow())  # ¥6,800 earns 6,800 points
    item = factories.mall_item(name_zh="品牌帆布袋", name_en="Tote", points_price=300, stock=3)

    staff_sign_in(desk, factories.staff("manager"))
    desk.get_by_role("link", name="风险管理").click()
    flag = desk.get_by_test_id("risk-flag")
    expect(flag).to_have_count(1)
    expect(flag.get_by_test_id("flag-rule")).to_have_text("大额消费")
    expect(flag.get_by_test_id("flag-figures")).to_have_text("¥6,800.00（上限 ¥5,000.00）")
    expect(flag.get_by_test_id("flag-member")).to_contain_text(member.member_no)
    desk.get_by_test_id("risk-flag").locator("textarea").fill("金额异常，已联系顾客核实。")
    desk.get_by_test_id("risk-flag").get_by_role("button", name="标记为已审核").click()
    expect(desk.locator(".flash")).to_have_text("风险标记已审核。")
    expect(desk.get_by_test_id("risk-flag")).to_have_count(0)
    assert flags()[0].review_note == "金额异常，已联系顾客核实。"

    desk.goto(f"/merchant/members/{member.id}")
    desk.get_by_test_id("freeze-link").click()
    desk.get_by_label("原因").fill("大额消费后立即兑换，待核实。")
    desk.get_by_role("button", name="冻结账户").click()
    expect(desk.locator(".flash")).to_contain_text("账户已冻结")
    expect(desk.get_by_test_id("frozen-reason")).to_have_text("大额消费后立即兑换，待核实。")

    member_sign_in(phone, "13811119999")
    expect(phone.get_by_test_id("account-frozen")).to_have_text("您的账户正在审核中，请联系门店。")
    phone.goto(f"/mall/items/{item.id}/confirm")
    phone.get_by_test_id("confirm").click()
    expect(phone.get_by_test_id("redeem-error")).to_have_text("您的账户正在审核中，请联系门店。")
    assert (order_count(), balance(member.id), stock(item.id)) == (0, 6800, 3)
