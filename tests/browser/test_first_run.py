"""A fresh install, in Chromium: no tiers, the owner signs in and is walked through the setup;
until the entry tier exists a visitor reads "opening soon"; afterwards a member joins."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select

from memberportal.brand.models import BrandSettings
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.models import ProgramRules
from memberportal.tiers.models import Tier
from tests import factories
from tests.browser.test_foundation import staff_sign_in

pytestmark = pytest.mark.browser


def test_first_run_setup_on_an_empty_database(desk, phone):
    db.session.execute(delete(Tier))
    db.session.commit()
    assert db.session.scalar(select(Tier.id)) is None

    phone.goto("/register")
    expect(phone.get_by_test_id("not-open")).to_contain_text("会员计划即将开放")

    staff_sign_in(desk, factories.staff("owner"))
    expect(desk.locator("h1")).to_have_text("设置会员计划")  # sent to the setup at once
    desk.fill("#brand-name", "晨光面包")
    desk.select_option("#brand-time_zone", "Asia/Shanghai")
    desk.select_option("#brand-currency_display", "symbol")
    desk.get_by_role("button", name="保存品牌").click()
    expect(desk.get_by_test_id("brand-saved")).to_be_visible()
    expect(desk.locator("header")).to_contain_text("晨光面包")

    desk.get_by_test_id("setup-add-tier").click()
    expect(desk.get_by_test_id("first-tier-hint")).to_be_visible()
    desk.fill("#code", "BASIC")
    desk.fill("#name_zh", "普卡")
    desk.fill("#name_en", "Classic")
    desk.get_by_role("button", name="保存等级").click()
    expect(desk.get_by_test_id("tiers-saved")).to_be_visible()

    desk.fill("#earn-rate_pct", "200")
    desk.select_option("#earn-expiry_policy", "rolling")
    desk.fill("#earn-expiry_months", "24")
    desk.get_by_role("button", name="保存积分获取与有效期").click()
    expect(desk.locator(".flash")).to_contain_text("已保存")
    desk.get_by_role("button", name="开放会员计划").click()
    expect(desk.locator(".flash")).to_contain_text("会员计划已开放")

    db.session.expire_all()
    saved = db.session.get(BrandSettings, 1)
    assert (saved.name, saved.time_zone, saved.setup_done_at is not None) == (
        "晨光面包", "Asia/Shanghai", True
    )  # fmt: skip
    rules = db.session.get(ProgramRules, 1)
    assert (rules.rate_pct, rules.expiry_months) == (200, 24)

    phone.goto("/register")
    phone.fill("#name", "王小明")
    phone.fill("#contact", "13812345678")
    phone.fill("#password", "Correct-Horse-42")
    phone.fill("#confirm", "Correct-Horse-42")
    phone.check("#accept")
    phone.click("main button[type=submit]")
    expect(phone.get_by_test_id("tier")).to_have_text("普卡")
    member = db.session.scalars(select(Member)).one()
    assert member.tier.code == "BASIC"
