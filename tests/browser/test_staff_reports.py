"""A manager keeps the mall's categories and reads the program's figures in the browser."""

import pytest

from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.points.services import adjust_points
from memberportal.purchases.services import record_purchase
from tests import factories

pytestmark = pytest.mark.browser


def sign_in(page, staff):
    page.goto("/staff/login")
    page.fill("input[name=email]", staff.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.locator("form button[type=submit]").last.click()


def test_manager_adds_orders_and_renames_categories(desk):
    sign_in(desk, factories.staff("manager"))
    desk.goto("/merchant/mall/items")
    for code, zh, en in (("care", "护理", "Care"), ("gifts", "礼品", "Gifts")):
        desk.fill("input[name=code]", code)
        desk.fill("input[name=name_zh]", zh)
        desk.fill("input[name=name_en]", en)
        desk.get_by_role("button", name="添加分类").click()
        desk.get_by_test_id("categories").get_by_text(zh).wait_for()
    desk.get_by_test_id("categories").get_by_role("link", name="礼品").click()
    desk.fill("input[name=name_zh]", "会员礼品")
    desk.fill("input[name=rank]", "0")
    desk.get_by_role("button", name="保存分类").click()
    desk.get_by_test_id("categories").get_by_text("会员礼品").wait_for()
    desk.get_by_test_id("categories").get_by_role("link", name="护理").click()
    desk.fill("input[name=rank]", "5")
    desk.get_by_role("button", name="保存分类").click()
    listed = desk.get_by_test_id("categories").locator("li")
    listed.last.get_by_text("护理").wait_for()  # ordered by the rank set, lower first
    assert "gifts · 0" in listed.first.inner_text() and "care · 5" in listed.last.inner_text()

    listed.last.get_by_role("link", name="护理").click()
    desk.fill("input[name=rank]", "1000")
    desk.get_by_role("button", name="保存分类").click()
    # Out of range (0-999): the browser refuses to send it, and nothing changes.
    assert desk.eval_on_selector("input[name=rank]", "e => e.validity.valid") is False
    desk.goto("/merchant/mall/items")
    assert "care · 5" in desk.get_by_test_id("categories").locator("li").last.inner_text()


def test_manager_reads_the_program_figures(desk):
    actor, now = SystemActor(), utcnow()
    first, second = factories.member(), factories.member()
    record_purchase(first.id, 15000, "R-1", source="till", actor=actor, now=now)
    record_purchase(second.id, 3000, "R-2", source="till", actor=actor, now=now)
    adjust_points(second.id, -10, reason="correction", actor=actor, now=now)

    sign_in(desk, factories.staff("manager"))
    desk.goto("/merchant/reports/")
    assert desk.get_by_test_id("members-total").inner_text() == "2"
    assert desk.get_by_test_id("points-issued").inner_text() == "180"
    assert desk.get_by_test_id("points-taken").inner_text() == "10"
    assert desk.get_by_test_id("points-outstanding").inner_text() == "170"
