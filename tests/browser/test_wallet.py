"""Stored value in the browser: a member tops up in demo mode on a phone, and a cashier takes
a payment from that balance at the counter."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_accessibility import serious
from tests.browser.test_foundation import staff_sign_in
from tests.browser.test_mall import member_sign_in
from tests.wallet_helpers import assert_invariants, plan

pytestmark = pytest.mark.browser


def test_member_tops_up_on_a_phone_and_the_cashier_takes_a_payment(phone, desk):
    member = factories.member(contact="13811113333", name="李雷")
    found = plan(50000, 5000)
    member_sign_in(phone, "13811113333")
    phone.get_by_test_id("wallet-link").click()
    expect(phone.get_by_test_id("wallet-total")).to_have_text("¥0.00")
    expect(phone.get_by_test_id(f"plan-{found.id}")).to_contain_text("¥550.00")
    phone.get_by_test_id(f"topup-{found.id}").click()
    expect(phone.get_by_test_id("demo-amount")).to_have_text("¥500.00")
    phone.get_by_test_id("demo-pay").click()
    expect(phone.get_by_test_id("topup-status")).to_be_visible()
    expect(phone.get_by_test_id("wallet-total")).to_have_text("¥550.00")
    expect(phone.get_by_test_id("wallet-principal")).to_have_text("¥500.00")
    expect(phone.get_by_test_id("wallet-bonus")).to_have_text("¥50.00")
    expect(phone.get_by_test_id("wallet-qr")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert serious(phone) == []

    staff_sign_in(desk, factories.staff("cashier"))
    desk.get_by_test_id("nav-wallet-counter").click()
    desk.fill("#code", member.member_no)
    desk.fill("#amount", "110")
    desk.get_by_test_id("counter-find").click()
    expect(desk.get_by_test_id("counter-balance")).to_have_text("¥550.00")
    expect(desk.get_by_test_id("counter-preview")).to_contain_text("¥100.00")
    assert serious(desk) == []
    desk.get_by_test_id("counter-confirm").click()
    expect(desk.get_by_test_id("staff-wallet-total")).to_have_text("¥440.00")

    phone.reload()
    expect(phone.get_by_test_id("wallet-total")).to_have_text("¥440.00")
    expect(phone.get_by_test_id("entry-spend")).to_contain_text("-¥110.00")
    assert assert_invariants(member.id)["principal"] == 40000
