"""A friend opens a member's invite link on a phone and joins; the member sees 100 points, and a
manager finds the referral in the staff list and opens the referrer."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.purchases.services import record_purchase
from memberportal.referrals.services import record_referral
from tests import factories
from tests.browser.test_foundation import staff_sign_in
from tests.browser.test_mall import member_sign_in
from tests.points_helpers import ACTOR, T0

pytestmark = pytest.mark.browser


def test_a_friend_joins_through_the_invite_link(phone, desk):
    factories.member(contact="13811113333", name="李雷")
    member_sign_in(desk, "13811113333")
    invite = desk.get_by_test_id("invite")
    expect(invite.get_by_role("heading")).to_have_text("邀请好友")
    expect(invite).to_contain_text("您将获得 100 积分（有效期 6 个月）")
    link = desk.get_by_test_id("invite-link").input_value()
    assert "/register?ref=" in link

    phone.goto(link)
    phone.fill("#name", "韩梅梅")
    phone.fill("#contact", "13811114444")
    phone.fill("#password", "Correct-Horse-42")
    phone.fill("#confirm", "Correct-Horse-43")
    phone.click("main button[type=submit]")
    expect(phone.locator("#confirm")).to_be_visible()  # refused; the link's code is kept
    phone.fill("#password", "Correct-Horse-42")
    phone.fill("#confirm", "Correct-Horse-42")
    phone.check("#accept")
    phone.click("main button[type=submit]")
    expect(phone.get_by_test_id("points-balance")).to_have_text("50")  # the welcome reward

    desk.reload()
    expect(desk.get_by_test_id("points-balance")).to_have_text("0")  # held until a purchase
    friend_id = db.session.scalar(select(Member.id).where(Member.phone == "+8613811114444"))
    record_purchase(friend_id, 2000, "FIRST-1", source="till", actor=ACTOR, now=utcnow())
    desk.reload()
    expect(desk.get_by_test_id("points-balance")).to_have_text("100")
    desk.get_by_test_id("points-link").click()
    expect(desk.get_by_test_id("history-row").first).to_contain_text("好友注册")


def test_a_manager_finds_the_referral_and_opens_the_referrer(phone, desk):
    li = factories.member(contact="13811115555", name="李雷")
    other = factories.member(name="王芳")
    record_referral(other.member_no, factories.member(name="赵六").id, actor=ACTOR, now=T0)
    phone.goto(f"/register?ref={li.member_no}")
    phone.fill("#name", "韩梅梅")
    phone.fill("#contact", "13811116666")
    phone.fill("#password", "Correct-Horse-42")
    phone.fill("#confirm", "Correct-Horse-42")
    phone.check("#accept")
    phone.click("main button[type=submit]")
    expect(phone.get_by_test_id("points-balance")).to_have_text("50")

    staff_sign_in(desk, factories.staff("manager"))
    desk.get_by_role("link", name="邀请记录").click()
    expect(desk.get_by_test_id("referral-row")).to_have_count(2)
    newest = desk.get_by_test_id("referral-row").first
    expect(newest.get_by_test_id("referral-referred")).to_contain_text("韩梅梅")
    expect(newest.get_by_test_id("referral-referrer")).to_have_text(f"{li.member_no} 李雷")
    expect(newest.get_by_test_id("referral-points")).to_have_text("100")
    expect(newest.get_by_test_id("referral-growth")).to_have_text("10")

    desk.get_by_label("会员号（邀请人或新会员）").fill(other.member_no)
    desk.get_by_role("button", name="查找").click()
    expect(desk.get_by_test_id("referral-row")).to_have_count(1)
    expect(desk.get_by_test_id("referral-referred")).to_contain_text("赵六")
    desk.get_by_role("link", name="显示全部").click()
    expect(desk.get_by_test_id("referral-row")).to_have_count(2)

    desk.get_by_test_id("referral-referrer").first.get_by_role("link").click()
    expect(desk.get_by_test_id("member-name")).to_have_text("李雷")
    expect(desk.get_by_test_id("referred-count")).to_have_text("1")
    assert desk.evaluate("document.documentElement.scrollWidth") <= 1280
