"""A manager keeps the mall's categories and reads the program's figures in the browser."""

import io
import re
from collections import Counter

import pytest
from PIL import Image

from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.points.services import adjust_points
from memberportal.purchases.services import record_purchase
from tests import factories
from tests.reports_data import build

pytestmark = pytest.mark.browser
THIS_PERIOD, PREVIOUS_PERIOD = (0x8A, 0x6D, 0x1F), (0x9C, 0x9C, 0xA3)  # app.css .series-0/1
HEALTHY_LINE = (0xB3, 0x26, 0x1E)  # --accent


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


def row_cells(page, table: str, heading: str) -> list[str]:
    row = page.get_by_test_id(f"table-{table}").locator(
        "tr", has=page.locator("th", has_text=heading)
    )
    return [c.strip() for c in row.first.locator("td").all_inner_texts()]


def test_manager_reads_the_program_figures(desk):
    actor, now = SystemActor(), utcnow()
    first, second = factories.member(), factories.member()
    record_purchase(first.id, 15000, "R-1", source="till", actor=actor, now=now)
    record_purchase(second.id, 3000, "R-2", source="till", actor=actor, now=now)
    adjust_points(second.id, -10, reason="correction", actor=actor, now=now)

    sign_in(desk, factories.staff("manager"))
    desk.goto("/merchant/reports/")
    assert row_cells(desk, "summary", "新增会员")[0] == "2"
    desk.get_by_role("link", name="积分", exact=True).click()
    assert row_cells(desk, "flows", "已发放积分")[0] == "180"
    assert row_cells(desk, "flows", "员工扣减")[0] == "10"
    desk.get_by_role("link", name="积分负债", exact=True).click()
    assert row_cells(desk, "liability", "未使用（积分负债）")[0] == "170"


def colours(png: bytes) -> Counter:
    return Counter(Image.open(io.BytesIO(png)).convert("RGB").get_flattened_data())


def test_charts_render_as_images_with_their_numbers(desk):
    build()
    sign_in(desk, factories.staff("manager"))
    desk.goto("/merchant/reports/points?period=custom&start=2026-06-01&end=2026-06-15")
    flows = desk.get_by_role("img", name=re.compile("积分收支"))
    box = flows.bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    drawn = colours(flows.screenshot())
    assert drawn[THIS_PERIOD] > 500 and drawn[PREVIOUS_PERIOD] > 50  # bars of both periods
    rate = desk.get_by_test_id("chart-redemption-rate")
    assert colours(rate.screenshot())[HEALTHY_LINE] > 50  # the dashed 50% line
    assert row_cells(desk, "monthly", "2026-06") == ["375", "120", "15", "32.0%"]
    desk.goto("/merchant/reports/sales?period=custom&start=2026-06-01&end=2026-06-15")
    bands = colours(desk.get_by_test_id("chart-spend-bands").screenshot())
    assert bands[THIS_PERIOD] > 500 and bands[PREVIOUS_PERIOD] > 500  # members' and revenue's
