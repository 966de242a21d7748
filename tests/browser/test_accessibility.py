"""axe-core in Chromium: no serious or critical accessibility violation on the pages members
and cashiers use most."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe

from memberportal.core.clock import utcnow
from memberportal.coupons import services as coupons
from tests import factories
from tests.browser.test_foundation import staff_sign_in
from tests.browser.test_mall import member_sign_in
from tests.coupon_helpers import coupons_of, move_to_tier, paid_card, template
from tests.points_helpers import earn

pytestmark = pytest.mark.browser

AXE = Axe()


def serious(page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def member_with_coupon():
    member = factories.member(contact="13900000876")
    move_to_tier(member.id, "VIP2")
    now = utcnow()
    paid_card(member.id, now - timedelta(days=5), now + timedelta(days=360))
    earn(member.id, 500, now=now, days=20)
    factories.mall_item(points_price=300, stock=5)
    factories.mall_item(name_zh="贵的", name_en="Dear", points_price=9000, stock=5)
    made = template(tier_id=factories.tier("VIP2").id, amount_cents=1500, min_spend_cents=16900)
    coupons.issue_tier_coupons(member.id, now)
    coupon = next(c for c in coupons_of(member.id) if c.template_id == made.id)
    return member, coupon


def test_member_pages_pass_axe(phone):
    member, _coupon = member_with_coupon()
    member_sign_in(phone, "13900000876")
    found = {}
    for url in ("/card", "/points", "/mall/", "/coupons/", "/membership/", "/profile"):
        phone.goto(url)
        found[url] = serious(phone)
    assert found == {url: [] for url in found}, found


def test_the_paid_card_checkout_passes_axe(phone):
    from memberportal.memberships import demo as membership_demo

    membership_demo.load()
    from memberportal.extensions import db

    db.session.commit()
    factories.member(contact="13900000877")
    member_sign_in(phone, "13900000877")
    phone.goto("/membership/")
    phone.get_by_test_id("join-SVIP").click()
    phone.get_by_test_id("due-today").wait_for()
    assert serious(phone) == []


def test_counter_pages_pass_axe(desk):
    member, coupon = member_with_coupon()
    staff_sign_in(desk, factories.staff("cashier"))
    found = {}
    for url in (
        "/merchant/purchases/till",
        f"/merchant/purchases/member/{member.id}",
        f"/merchant/members/{member.id}",
        f"/merchant/coupons/write-off?code={coupon.code}",
    ):
        desk.goto(url)
        found[url] = serious(desk)
    assert found == {url: [] for url in found}, found
