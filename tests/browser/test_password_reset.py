"""A cashier issues a password reset at the till; the member opens the link on a phone, sets a
new password and signs in with it; the old password no longer works."""

import re

import pytest
from playwright.sync_api import expect

from memberportal.accounts import passwords
from memberportal.accounts.reset_views import qr_data_uri
from memberportal.accounts.rules import new_reset_token
from tests import factories
from tests.browser.test_foundation import staff_sign_in

pytestmark = pytest.mark.browser

PHONE = "13811116666"
NEW_PASSWORD = "Lantern-Maple-77"


def test_cashier_issues_a_reset_and_the_member_sets_a_new_password_on_a_phone(
    phone, desk, live_server, monkeypatch
):
    tokens = []  # what the member's camera reads from the QR code

    def spy():
        tokens.append(new_reset_token())
        return tokens[-1]

    monkeypatch.setattr(passwords, "new_reset_token", spy)
    member = factories.member(contact=PHONE, name="李雷")

    staff_sign_in(desk, factories.staff("cashier"))
    desk.goto(f"/merchant/members/{member.id}")
    desk.get_by_test_id("issue-reset").click()
    expect(desk.get_by_test_id("password-reset")).to_contain_text("有效期 30 分钟")
    expect(desk.get_by_test_id("reset-code")).to_have_text(re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}$"))
    (token,) = tokens
    link = f"{live_server}/password/reset/{token}"
    qr = desk.get_by_test_id("reset-qr")
    assert qr.get_attribute("src") == qr_data_uri(link)
    desk.wait_for_function(
        "() => document.querySelector('[data-testid=reset-qr]').naturalWidth > 0"
    )

    phone.goto(link)
    assert phone.url == f"{live_server}/password/reset"  # the token left the address bar
    expect(phone.get_by_test_id("reset-account")).to_have_text("账户：138****6666。")
    phone.fill("#password", "password123")
    phone.fill("#confirm", "password123")
    phone.get_by_test_id("reset-form").locator("button[type=submit]").click()
    expect(phone.locator(".error")).to_have_text("密码太容易被猜到，请换一个。")
    phone.fill("#password", NEW_PASSWORD)
    phone.fill("#confirm", NEW_PASSWORD)
    phone.get_by_test_id("reset-form").locator("button[type=submit]").click()
    expect(phone.locator(".flash")).to_have_text("密码已修改，请用新密码登录。")
    assert phone.url == f"{live_server}/login"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone

    phone.fill("#contact", PHONE)
    phone.fill("#password", factories.PASSWORD)
    phone.locator("main form button[type=submit]").click()
    expect(phone.locator(".error")).to_have_text("账号或密码不正确。")

    phone.fill("#contact", PHONE)
    phone.fill("#password", NEW_PASSWORD)
    phone.locator("main form button[type=submit]").click()
    expect(phone.get_by_test_id("member-card")).to_be_visible()
    expect(phone.get_by_test_id("member-no")).to_have_text(member.member_no)

    phone.goto(link)  # the link worked once
    expect(phone.get_by_test_id("reset-problem")).to_contain_text("该重置已经用过了")
