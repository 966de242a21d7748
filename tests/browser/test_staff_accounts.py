"""The owner, on a phone, deactivates a cashier who left: every staff page fits the 390 px
screen, and the cashier signed in at the till is signed out at the next page they open."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_foundation import staff_sign_in
from tests.staff_helpers import staff_row

pytestmark = pytest.mark.browser

FITS = "document.documentElement.scrollWidth"


def test_the_owner_deactivates_a_cashier_on_a_phone(phone, desk):
    cashier = factories.staff("cashier", email="zhang.xiaoming.cashier@example-store.com")
    staff_sign_in(desk, cashier)
    expect(desk.get_by_test_id("staff-who")).to_contain_text("收银员")

    staff_sign_in(phone, factories.staff("owner"))
    phone.get_by_role("link", name="员工", exact=True).click()
    row = phone.locator(f'[data-testid=staff-row][data-email="{cashier.email}"]')
    expect(row.get_by_test_id("staff-role")).to_have_text("收银员")
    expect(row.get_by_test_id("staff-status")).to_have_text("有效")
    assert phone.evaluate(FITS) <= 390

    row.get_by_test_id("staff-name").click()
    phone.get_by_test_id("deactivate-link").click()
    expect(phone.get_by_test_id("confirm-deactivate")).to_contain_text(
        "对方会立即在所有设备上退出登录"
    )
    assert phone.evaluate(FITS) <= 390
    assert staff_row(cashier.id).is_enabled  # asking changed nothing
    phone.get_by_test_id("confirm").click()
    expect(phone.locator(".flash")).to_have_text(
        f"{cashier.email} 已停用，并已在所有设备上退出登录。"
    )
    expect(phone.get_by_test_id("staff-status")).to_have_text("已停用")
    expect(phone.get_by_test_id("reactivate-form")).to_be_visible()
    assert phone.evaluate(FITS) <= 390

    desk.goto("/merchant/")
    assert "/staff/login" in desk.url
    desk.fill("#email", cashier.email)
    desk.fill("#password", factories.PASSWORD)
    desk.click("main button[type=submit]")
    expect(desk.locator(".error")).to_have_text("该员工账号已停用，请联系店主重新启用。")
