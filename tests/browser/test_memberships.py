"""A member joins SVIP on a phone in demo mode and sees it on the card."""

import re

import pytest
from playwright.sync_api import expect

from memberportal.extensions import db
from memberportal.memberships import demo as membership_demo
from tests import factories

pytestmark = pytest.mark.browser


def test_member_joins_svip_and_sees_badge_and_paid_until(phone):
    membership_demo.load()
    db.session.commit()
    factories.member(contact="13800007777")
    phone.goto("/login")
    phone.fill("#contact", "13800007777")
    phone.fill("#password", factories.PASSWORD)
    phone.click("main button[type=submit]")
    phone.goto("/membership/")
    expect(phone.get_by_test_id("plan-SVIP")).to_contain_text("¥99.00")
    phone.get_by_test_id("join-SVIP").click()
    expect(phone.get_by_test_id("due-today")).to_have_text("¥99.00")
    phone.get_by_test_id("demo-pay").click()
    expect(phone.get_by_test_id("checkout-done")).to_be_visible()
    paid_until = phone.get_by_test_id("paid-until").inner_text()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", paid_until)
    expect(phone.get_by_test_id("renewal")).to_contain_text("¥199.00")
    phone.goto("/card")
    expect(phone.get_by_test_id("svip-badge")).to_have_text("SVIP")
    expect(phone.get_by_test_id("svip-paid-until")).to_have_text(f"有效期至 {paid_until}")
