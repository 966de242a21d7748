"""A member redeems on a phone, a cashier hands it over, the member sees it fulfilled."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_foundation import staff_sign_in
from tests.mall_helpers import balance, order_count, stock
from tests.points_helpers import earn

pytestmark = pytest.mark.browser


def member_sign_in(page, contact):
    page.goto("/login")
    page.fill("#contact", contact)
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")
    expect(page.get_by_test_id("member-card")).to_be_visible()


def test_redeem_on_a_phone_hand_over_at_the_counter(phone, desk):
    member = factories.member(contact="13811112222", name="韩梅梅")
    earn(member.id, 1000)
    item = factories.mall_item(name_zh="品牌帆布袋", name_en="Tote", points_price=300, stock=3)
    member_sign_in(phone, "13811112222")
    phone.click("text=积分商城")
    card = phone.locator(f"[data-item-id='{item.id}']")
    expect(card).to_contain_text("剩余 3 件")
    card.get_by_role("link", name="兑换").click()
    phone.get_by_test_id("redeem").click()
    expect(phone.get_by_test_id("balance-after")).to_have_text("700")
    phone.get_by_test_id("confirm").click()
    expect(phone.get_by_test_id("order-status")).to_have_text("待自提")
    expect(phone.get_by_test_id("points-balance")).to_have_text("700")
    phone.wait_for_function(
        "() => document.querySelector('[data-testid=pickup-qr]').naturalWidth > 0"
    )
    code = phone.get_by_test_id("pickup-code").inner_text()
    assert len(code) == 8

    staff_sign_in(desk, factories.staff("cashier"))
    desk.goto("/merchant/mall/orders/")
    desk.fill("#code", code)
    desk.get_by_test_id("hand-over").click()
    expect(desk.locator(".flash")).to_contain_text("已交付")

    phone.reload()
    expect(phone.get_by_test_id("order-status")).to_have_text("已完成")
    expect(phone.get_by_test_id("pickup-code")).to_have_count(0)
    assert stock(item.id) == 2 and balance(member.id) == 700


def test_an_item_above_the_tier_says_why_and_changes_nothing(phone):
    member = factories.member(contact="13811113333")
    earn(member.id, 5000)
    item = factories.mall_item(
        name_zh="金卡香薰", points_price=1500, min_tier_id=factories.tier("VIP3").id
    )
    member_sign_in(phone, "13811113333")
    phone.goto("/mall/")
    card = phone.locator(f"[data-item-id='{item.id}']")
    expect(card.get_by_test_id("why-not")).to_have_text("您的会员等级不够兑换此商品。")
    card.get_by_test_id("item-name").click()
    expect(phone.get_by_test_id("why-not")).to_contain_text("会员等级不够")
    expect(phone.get_by_test_id("redeem")).to_have_count(0)
    # Even a hand-made request is refused by the service with the same reason.
    phone.goto(f"/mall/items/{item.id}/confirm")
    phone.get_by_test_id("confirm").click()
    expect(phone.get_by_test_id("redeem-error")).to_have_text("您的会员等级不够兑换此商品。")
    assert order_count() == 0 and balance(member.id) == 5000 and stock(item.id) == 10
