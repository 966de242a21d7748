"""A friend opens a member's invite link on a phone and joins; the member sees 100 points."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_mall import member_sign_in

pytestmark = pytest.mark.browser


def test_a_friend_joins_through_the_invite_link(phone, desk):
    factories.member(contact="13811113333", name="李雷")
    member_sign_in(desk, "13811113333")
    invite = desk.get_by_test_id("invite")
    expect(invite.get_by_role("heading")).to_have_text("邀请好友")
    expect(invite).to_contain_text("您将获得 100 积分（有效期 6 个月）")
    link = desk.get_by_test_id("invite-link").input_value()
    assert "/register?ref=" in link

    phone.goto(link)
    phone.fill("#name", "韩梅梅")
    phone.fill("#contact", "13811114444")
    phone.fill("#password", "Correct-Horse-42")
    phone.fill("#confirm", "Correct-Horse-43")
    phone.click("main button[type=submit]")
    expect(phone.locator("#confirm")).to_be_visible()  # refused; the link's code is kept
    phone.fill("#password", "Correct-Horse-42")
    phone.fill("#confirm", "Correct-Horse-42")
    phone.click("main button[type=submit]")
    expect(phone.get_by_test_id("points-balance")).to_have_text("0")

    desk.reload()
    expect(desk.get_by_test_id("points-balance")).to_have_text("100")
    desk.get_by_test_id("points-link").click()
    expect(desk.get_by_test_id("history-row").first).to_contain_text("好友注册")
