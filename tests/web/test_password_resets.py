"""Password resets on the web: the forgot page, the cashier's action on the member page (roles,
CSRF, the code and QR shown once), the link and code flows, throttled guesses, and changing the
password from the profile; every other session ends."""

import html
import re

import pytest

from memberportal.accounts import passwords
from memberportal.accounts.reset_views import qr_data_uri
from memberportal.accounts.rules import hash_reset_code, new_reset_token
from memberportal.core.clock import utcnow
from tests import factories
from tests.conftest import Browser, staff_web_for
from tests.password_helpers import (
    NEW_PASSWORD,
    audit_rows,
    issue,
    member_row,
    open_resets,
    resets_of,
    signs_in,
)

PHONE = "13900000001"


def english(browser: Browser) -> Browser:
    browser.client.set_cookie("lang", "en")
    return browser


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def tokens(monkeypatch):
    """The tokens the app issues, as the member's phone reads them from the QR code."""
    issued = []

    def spy():
        issued.append(new_reset_token())
        return issued[-1]

    monkeypatch.setattr(passwords, "new_reset_token", spy)
    return issued


def issue_on_page(staff_web, member_id):
    return staff_web.submit(
        f"/merchant/members/{member_id}/password-reset", page=f"/merchant/members/{member_id}"
    )


def shown_code(response) -> str:
    return re.search(r'data-testid="reset-code">([^<]+)<', text(response)).group(1)


def test_sign_in_page_links_to_the_forgot_page_which_explains_it(web):
    login = text(web.get("/login"))
    assert 'href="/password/forgot"' in login and "忘记密码？" in login
    zh = text(web.get("/password/forgot"))
    assert "请到我们任意一家门店找收银员" in zh and "有效期为 30 分钟" in zh
    en = text(english(web).get("/password/forgot"))
    assert "Ask a cashier at any of our stores. After checking who you are" in en
    assert "valid for 30 minutes and works once" in en
    for name in ("contact", "code", "password", "confirm", "csrf_token"):
        assert f'name="{name}"' in en


def test_a_cashier_issues_a_reset_shown_once_as_qr_and_code(app, cashier_web, tokens):
    member = factories.member(contact=PHONE, name="李雷")
    english(cashier_web)
    page = text(cashier_web.get(f"/merchant/members/{member.id}"))
    assert 'data-testid="issue-reset"' in page and "check who they are" in page
    response = issue_on_page(cashier_web, member.id)
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    body = text(response)
    assert "Password reset for 李雷" in body and "Valid for 30 minutes" in body
    code = shown_code(response)
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", code)
    (reset,) = resets_of(member.id)
    assert reset.code_hash == hash_reset_code(
        code.replace("-", ""), member.id, app.config["SECRET_KEY"]
    )
    assert reset.issued_by_id == cashier_web.staff.id
    # The QR code carries the link with the token; the token itself is nowhere in the page.
    (token,) = tokens
    link = f"http://localhost/password/reset/{token}"
    assert f'src="{qr_data_uri(link)}"' in response.get_data(as_text=True)
    assert token not in body.replace(qr_data_uri(link), "")
    # A reload does not show it again.
    again = cashier_web.get(f"/merchant/members/{member.id}/password-reset")
    assert again.status_code == 303 and again.location.endswith(f"/merchant/members/{member.id}")
    assert len(resets_of(member.id)) == 1
    (entry,) = audit_rows("password_reset.issued")
    assert entry.actor_id == cashier_web.staff.id and entry.subject_id == member.id


@pytest.mark.parametrize("role", ["cashier", "manager", "owner"])
def test_every_staff_role_may_issue_a_reset(app, role):
    member = factories.member(contact=PHONE)
    response = issue_on_page(staff_web_for(app, role), member.id)
    assert response.status_code == 201 and len(shown_code(response)) == 9
    assert len(open_resets(member.id)) == 1


def test_members_and_visitors_cannot_issue_a_reset(app, member_web, client):
    target = factories.member(contact="13900000002")
    url = f"/merchant/members/{target.id}/password-reset"
    refused = member_web.submit(url, page="/card")
    assert refused.status_code == 403
    anonymous = client.post(url)
    assert anonymous.status_code in (302, 400)
    assert resets_of(target.id) == [] and resets_of(member_web.member.id) == []


def test_an_unknown_member_is_not_found(cashier_web):
    response = cashier_web.submit("/merchant/members/999999/password-reset", page="/merchant/")
    assert response.status_code == 404
    assert resets_of(999999) == [] and audit_rows("password_reset.issued") == []


def test_posts_without_a_csrf_token_change_nothing(app, cashier_web, member_web):
    member = member_web.member
    assert (
        cashier_web.client.post(f"/merchant/members/{member.id}/password-reset").status_code == 400
    )
    assert resets_of(member.id) == []
    issued = issue(member.id)
    phone = Browser(app.test_client())
    phone.get(f"/password/reset/{issued.token}")
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert phone.client.post("/password/reset", data=data).status_code == 400
    code_form = {"contact": PHONE, "code": issued.code, **data}
    assert phone.client.post("/password/forgot", data=code_form).status_code == 400
    change = {"current_password": factories.PASSWORD, **data}
    assert member_web.client.post("/profile/password", data=change).status_code == 400
    assert signs_in(PHONE, factories.PASSWORD) and len(open_resets(member.id)) == 1
    assert member_row(member.id).session_version == 0


def test_the_link_sets_a_new_password_then_the_member_signs_in(app, web):
    member = factories.member(contact=PHONE)
    issued = issue(member.id)
    english(web)
    opened = web.get(f"/password/reset/{issued.token}")
    # The token leaves the address bar at once.
    assert opened.status_code == 303 and opened.location.endswith("/password/reset")
    page = web.get("/password/reset")
    assert page.headers["Cache-Control"] == "no-store"
    assert "For the account 139****0001." in text(page)
    weak = web.submit("/password/reset", {"password": "password123", "confirm": "password123"})
    assert weak.status_code == 422
    assert "This password is too easy to guess; choose another." in text(weak)
    mismatch = web.submit("/password/reset", {"password": NEW_PASSWORD, "confirm": "Other-77-x"})
    assert mismatch.status_code == 422 and "Passwords do not match." in text(mismatch)
    assert len(open_resets(member.id)) == 1 and signs_in(PHONE, factories.PASSWORD)
    done = web.submit("/password/reset", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303 and done.location.endswith("/login")
    login = text(web.get("/login"))
    assert "Your password has been changed. Sign in with your new password." in login
    old = web.submit("/login", {"contact": PHONE, "password": factories.PASSWORD})
    assert old.status_code == 422
    new = web.submit("/login", {"contact": PHONE, "password": NEW_PASSWORD})
    assert new.status_code == 303 and new.location.endswith("/card")
    assert web.get("/card").status_code == 200


def test_a_reset_signs_out_every_session_of_the_member(app, member_web):
    member = member_web.member
    other_device = Browser(app.test_client())
    other_device.submit("/login", {"contact": PHONE, "password": factories.PASSWORD})
    assert member_web.get("/card").status_code == other_device.get("/card").status_code == 200
    passwords.reset_with_token(issue(member.id).token, NEW_PASSWORD, now=utcnow())
    for device in (member_web, other_device):
        response = device.get("/card")
        assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize(
    ("case", "status", "message"),
    [
        ("unknown", 404, "This reset link is not valid. Ask a cashier at any store"),
        ("expired", 410, "This reset has expired: a link or code is valid for 30 minutes."),
        ("used", 410, "This reset has already been used. Sign in with your new password"),
        ("voided", 410, "This reset was cancelled: a newer one was issued"),
    ],
)
def test_a_link_that_cannot_be_used_says_why_and_changes_nothing(web, case, status, message):
    from datetime import timedelta

    member = factories.member(contact=PHONE)
    if case == "unknown":
        token = "no-such-token"
    elif case == "expired":
        token = issue(member.id, now=utcnow() - timedelta(minutes=31)).token
    else:
        token = issue(member.id).token
        if case == "used":
            passwords.reset_with_token(token, NEW_PASSWORD, now=utcnow())
        else:
            issue(member.id)
    version = member_row(member.id).session_version
    english(web).get(f"/password/reset/{token}")
    page = web.get("/password/reset")
    assert page.status_code == status and message in text(page)
    assert 'data-testid="reset-form"' not in text(page)
    posted = web.client.post(
        "/password/reset",
        data={
            "csrf_token": _token(web),
            "password": "Harbour-Willow-58",
            "confirm": "Harbour-Willow-58",
        },
    )
    assert posted.status_code in (404, 410)
    assert not signs_in(PHONE, "Harbour-Willow-58")
    assert member_row(member.id).session_version == version


def _token(web) -> str:
    from tests.conftest import csrf_from

    return csrf_from(web.get("/password/forgot").get_data(as_text=True))


def code_form(code, contact=PHONE, password=NEW_PASSWORD):
    return {"contact": contact, "code": code, "password": password, "confirm": password}


def test_the_code_and_phone_set_a_new_password(web):
    member = factories.member(contact=PHONE)
    issued = issue(member.id)
    english(web)
    wrong = web.submit("/password/forgot", code_form("AAAA-BBBB"))
    assert wrong.status_code == 422
    assert "That code does not match this mobile number or email." in text(wrong)
    weak = web.submit("/password/forgot", code_form(issued.code, password="qwerty123"))
    assert weak.status_code == 422 and "too easy to guess" in text(weak)
    assert len(open_resets(member.id)) == 1
    typed = f"{issued.code[:4].lower()}-{issued.code[4:].lower()}"
    done = web.submit("/password/forgot", code_form(typed, contact="139 0000 0001"))
    assert done.status_code == 303 and done.location.endswith("/login")
    assert signs_in(PHONE, NEW_PASSWORD) and not signs_in(PHONE, factories.PASSWORD)
    again = web.submit("/password/forgot", code_form(issued.code, password="Harbour-Willow-58"))
    assert again.status_code == 422 and "This reset has already been used." in text(again)


def test_code_guesses_are_throttled_per_account(web):
    member = factories.member(contact=PHONE)
    issued = issue(member.id)
    # However the number is typed, it is one account.
    spellings = [PHONE, "139 0000 0001", "139-0000-0001", " 13900000001", "1390000 0001"]
    statuses = [
        web.submit("/password/forgot", code_form("AAAA-BBBB", contact=typed)).status_code
        for typed in spellings
    ]
    assert statuses == [422] * 5
    assert web.submit("/password/forgot", code_form("CCCC-DDDD")).status_code == 429
    # Even the right code is refused while the account is throttled, and nothing changed.
    assert web.submit("/password/forgot", code_form(issued.code)).status_code == 429
    assert signs_in(PHONE, factories.PASSWORD) and len(open_resets(member.id)) == 1


def test_code_guesses_from_one_address_are_throttled_across_accounts(make_app):
    app = make_app(RESET_CODE_LIMIT_PER_IP="3 per 15 minutes")
    browser = Browser(app.test_client())
    fourth = factories.member(contact="13900000003")
    issued = issue(fourth.id)
    statuses = [
        browser.submit(
            "/password/forgot", code_form("AAAA-BBBB", contact=f"1390000{i:04d}")
        ).status_code
        for i in range(3)
    ]
    # The fourth try from that address is refused even with its account's right code.
    statuses.append(
        browser.submit("/password/forgot", code_form(issued.code, contact="13900000003"))
        .status_code
    )  # fmt: skip
    assert statuses == [422, 422, 422, 429]
    assert signs_in("13900000003", factories.PASSWORD) and len(open_resets(fourth.id)) == 1


def test_a_member_changes_the_password_from_the_profile(app, member_web):
    member = member_web.member
    other_device = Browser(app.test_client())
    other_device.submit("/login", {"contact": PHONE, "password": factories.PASSWORD})
    english(member_web)
    profile = text(member_web.get("/profile"))
    assert 'href="/profile/password"' in profile and "Change password" in profile
    form = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    wrong = member_web.submit("/profile/password", {"current_password": "not-mine-1", **form})
    assert wrong.status_code == 422 and "That is not your current password." in text(wrong)
    weak = member_web.submit(
        "/profile/password",
        {"current_password": factories.PASSWORD, "password": "a1234567", "confirm": "a1234567"},
    )
    assert weak.status_code == 422 and "too easy to guess" in text(weak)
    assert signs_in(PHONE, factories.PASSWORD) and member_row(member.id).session_version == 0
    done = member_web.submit("/profile/password", {"current_password": factories.PASSWORD, **form})
    assert done.status_code == 303 and done.location.endswith("/profile")
    assert "Password changed. Every other device was signed out." in text(
        member_web.get("/profile")
    )
    assert member_web.get("/card").status_code == 200  # this device stays signed in
    assert other_device.get("/card").status_code == 302
    assert signs_in(PHONE, NEW_PASSWORD) and not signs_in(PHONE, factories.PASSWORD)
    assert len(audit_rows("member.password_changed")) == 1


def test_wrong_current_passwords_are_throttled(member_web):
    form = {"current_password": "not-mine-1", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    statuses = [member_web.submit("/profile/password", form).status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]


def test_change_password_needs_a_signed_in_member(web, cashier_web):
    assert "/login" in web.get("/profile/password").location
    assert cashier_web.get("/profile/password").status_code == 403


def test_managers_read_resets_in_the_audit_trail(app, manager_web):
    member = factories.member(contact=PHONE)
    code = shown_code(issue_on_page(manager_web, member.id))
    passwords.reset_with_code(PHONE, code, NEW_PASSWORD, now=utcnow())
    page = text(english(manager_web).get("/merchant/audit/"))
    assert "Password reset issued" in page and "Password reset used" in page
    assert code not in page and code.replace("-", "") not in page


def test_the_request_log_does_not_keep_the_links_token(web):
    import logging

    member = factories.member(contact=PHONE)
    token = issue(member.id).token
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    collect = Collect()
    logger = logging.getLogger("memberportal.request")
    logger.addHandler(collect)
    try:
        web.get(f"/password/reset/{token}")
        web.get("/password/reset")
    finally:
        logger.removeHandler(collect)
    assert lines[0].startswith("GET /password/reset/<token> 303 ")
    assert lines[1].startswith("GET /password/reset 200 ")
    assert not any(token in line for line in lines)
