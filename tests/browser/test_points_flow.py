"""A cashier records a purchase; the member sees the new balance and the expiry date."""

import re

import pytest

from memberportal.core.clock import local_date
from memberportal.core.clock import utcnow as now_utc
from memberportal.points.rules import ExpiryPolicy, expiry_day
from tests import factories

pytestmark = pytest.mark.browser


def test_cashier_records_purchase_member_sees_balance_and_expiry(desk, phone):
    member = factories.member(contact="13900000777")
    cashier = factories.staff("cashier")
    expires = expiry_day(local_date(now_utc()), ExpiryPolicy())

    desk.goto("/staff/login")
    desk.fill("input[name=email]", cashier.email)
    desk.fill("input[name=password]", factories.PASSWORD)
    desk.locator("form button[type=submit]").last.click()
    desk.goto(f"/merchant/members/{member.id}")
    desk.get_by_test_id("purchases-link").click()
    form = desk.get_by_test_id("purchase-form")
    form.locator("input[name=amount]").fill("256.80")
    form.locator("input[name=order_ref]").fill("POS-777")
    form.locator("button[type=submit]").click()
    desk.wait_for_selector(".flash-success")
    assert re.search(r"256", desk.locator(".flash-success").inner_text())

    phone.goto("/login")
    phone.fill("input[name=contact]", "13900000777")
    phone.fill("input[name=password]", factories.PASSWORD)
    phone.locator("form button[type=submit]").last.click()
    phone.goto("/points")
    assert phone.get_by_test_id("points-balance").inner_text() == "256"
    assert expires.isoformat() in phone.get_by_test_id("expiries").inner_text()
