"""A manager grants points to many members from a CSV in Chromium: preview, confirm, the
progress moves without a click (htmx asks for each step), the members' balances change."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from memberportal.extensions import db
from memberportal.members.models import Member
from tests import factories

pytestmark = pytest.mark.browser


def test_manager_grants_points_from_a_csv(desk, tmp_path):
    li, han = factories.member(), factories.member()
    manager = factories.staff("manager")
    lines = ["会员,积分,原因"]
    lines += [f"{li.member_no},2,活动 {n}" for n in range(70)]  # more than one step
    lines += [f"{han.phone},30,开业礼品", "77777777,5,无此会员"]
    path = tmp_path / "gift.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    desk.goto("/staff/login")
    desk.fill("input[name=email]", manager.email)
    desk.fill("input[name=password]", factories.PASSWORD)
    desk.locator("form button[type=submit]").last.click()
    desk.get_by_test_id("nav-bulk-points").click()
    desk.set_input_files("input[type=file]", str(path))
    desk.get_by_test_id("bulk-upload").locator("button[type=submit]").click()

    assert "<strong>71</strong>" in desk.get_by_test_id("bulk-outcome-ok").inner_html()
    assert "未知会员" in desk.get_by_test_id("bulk-outcome-unknown_member").inner_text()
    desk.get_by_test_id("bulk-confirm").click()
    desk.wait_for_selector('[data-testid="bulk-result-applied"]')
    # The steps follow one another by themselves until the page reloads as done.
    expect(desk.get_by_test_id("bulk-handled")).to_contain_text("72 / 72")
    expect(desk.locator(".flash-success")).to_be_visible()
    assert re.search(r"已执行\D*71", desk.get_by_test_id("bulk-results").inner_text())
    assert "已跳过" in desk.get_by_test_id("bulk-results").inner_text()
    db.session.expire_all()
    balances = dict(db.session.execute(select(Member.id, Member.points_balance)).all())
    assert (balances[li.id], balances[han.id]) == (140, 30)
    with desk.expect_download() as download:
        desk.get_by_test_id("bulk-report").click()
    report = download.value.path().read_text(encoding="utf-8-sig")
    assert report.count("\n") == 73 and "未知会员" in report
