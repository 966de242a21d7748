"""A person's first minutes: joining on a phone, switching language, a cashier's lookup."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.members.rules import CONSENT_VERSION
from tests import factories

pytestmark = pytest.mark.browser


def staff_sign_in(page, staff):
    page.goto("/staff/login")
    page.fill("#email", staff.email)
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")


def test_new_customer_joins_on_a_phone_and_sees_the_card(phone):
    phone.goto("/")
    phone.click("text=免费注册")
    phone.fill("#name", "王小明")
    phone.fill("#contact", "13812345678")
    phone.fill("#password", "Correct-Horse-42")
    phone.fill("#confirm", "Correct-Horse-42")
    phone.click("main button[type=submit]")  # without accepting the privacy notice
    expect(phone.get_by_test_id("consent")).to_contain_text(
        "请阅读并同意隐私政策和用户协议后再加入"
    )
    assert db.session.scalar(select(func.count(Member.id))) == 0
    with phone.expect_popup() as notice:
        phone.get_by_test_id("privacy-link").click()
    expect(notice.value.get_by_test_id("privacy")).to_contain_text("我们保存哪些信息")
    notice.value.close()
    phone.fill("#password", "Correct-Horse-42")
    phone.fill("#confirm", "Correct-Horse-42")
    phone.check("#accept")
    phone.click("main button[type=submit]")
    expect(phone.get_by_test_id("tier")).to_have_text("VIP1 普卡会员")
    joined = db.session.scalars(select(Member)).one()
    assert joined.consent_version == CONSENT_VERSION and joined.consented_at is not None
    expect(phone.get_by_test_id("points-balance")).to_have_text("0")
    expect(phone.get_by_test_id("tier-progress")).to_contain_text("150")
    qr = phone.get_by_test_id("card-qr")
    expect(qr).to_be_visible()
    # The QR image really loaded (an SVG drawn by the server), not a broken image.
    phone.wait_for_function(
        "() => document.querySelector('[data-testid=card-qr]').naturalWidth > 0"
    )
    member_no = phone.get_by_test_id("member-no").inner_text()
    assert len(member_no) == 10

    phone.get_by_test_id("switch-language").click()
    expect(phone.get_by_test_id("tier")).to_have_text("VIP1 Classic")
    expect(phone.locator("h2").first).to_have_text("Tier progress")
    phone.get_by_test_id("switch-language").click()
    expect(phone.get_by_test_id("tier")).to_have_text("VIP1 普卡会员")


def test_wrong_password_shows_a_neutral_message(phone):
    factories.member(contact="13800009999")
    phone.goto("/login")
    phone.fill("#contact", "13800009999")
    phone.fill("#password", "wrong-pass-1")
    phone.click("main button[type=submit]")
    expect(phone.locator(".error")).to_have_text("账号或密码不正确。")


def test_cashier_finds_a_member_by_number_and_is_refused_owner_pages(desk):
    member = factories.member(contact="13800008888", name="李雷")
    cashier = factories.staff("cashier")
    staff_sign_in(desk, cashier)
    expect(desk.locator("h1")).to_have_text("商家后台")
    desk.fill("#q", member.member_no)
    desk.press("#q", "Enter")
    expect(desk.get_by_test_id("member-name")).to_have_text("李雷")
    expect(desk.get_by_test_id("member-no")).to_have_text(member.member_no)

    # Live search with htmx: typing part of the number lists the member without a reload.
    desk.goto("/merchant/members/")
    desk.fill("#q", member.member_no[:6])
    expect(desk.get_by_test_id("member-results")).to_contain_text("李雷")

    response = desk.goto("/merchant/staff/")
    assert response.status == 403
    expect(desk.locator("h1")).to_have_text("无权访问")
