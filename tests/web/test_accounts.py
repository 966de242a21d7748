import re

from sqlalchemy import func, select

from memberportal.audit.models import AuditEntry
from memberportal.extensions import db
from memberportal.members.models import Member
from tests import factories


def count_members():
    return db.session.scalar(select(func.count(Member.id)))


def register(web, contact="13812345678", password="Correct-Horse-42", confirm=None, name="王小明",
             accept=True):  # fmt: skip
    form = {"name": name, "contact": contact, "password": password, "confirm": confirm or password}
    if accept:
        form["accept"] = "y"
    return web.submit("/register", form)


def test_register_shows_member_card_at_vip1_with_zero_points(web):
    response = register(web)
    assert response.status_code == 303
    page = web.get("/card", headers={"Accept-Language": "en"}).get_data(as_text=True)
    member = db.session.scalars(select(Member)).one()
    assert member.tier.code == "VIP1"
    assert member.member_no in page
    assert 'data-testid="points-balance">0<' in page
    assert "VIP1 Classic" in page
    assert "150 more growth to VIP2 Silver" in page
    assert len(member.member_no) == 10 and member.member_no != member.card_code
    assert member.password_hash != "Correct-Horse-42"
    qr = web.get("/card/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data


def test_register_twice_with_same_phone_is_refused(web):
    register(web)
    web.client.post("/logout", data={"csrf_token": ""})
    second = register(web, contact="138 1234 5678")
    assert second.status_code in (400, 422)
    assert count_members() == 1


def test_weak_password_gets_message_and_creates_nothing(web):
    response = register(web, password="password123", confirm="password123")
    assert response.status_code == 422
    assert "too easy" in response.get_data(as_text=True) or "太" in response.get_data(as_text=True)
    assert count_members() == 0


def test_mismatched_confirmation(web):
    response = register(web, confirm="Another-Horse-43")
    assert response.status_code == 422
    assert count_members() == 0


def test_register_without_csrf_token_changes_nothing(client):
    response = client.post(
        "/register",
        data={
            "name": "x",
            "contact": "13812345678",
            "password": "Correct-Horse-42",
            "confirm": "Correct-Horse-42",
        },
    )
    assert response.status_code == 400
    assert count_members() == 0


def test_sign_in_failure_message_is_neutral(web):
    factories.member(contact="13900000009")
    wrong_password = web.submit("/login", {"contact": "13900000009", "password": "nope-nope-1"})
    unknown = web.submit("/login", {"contact": "13900000010", "password": "nope-nope-1"})
    message = "Those sign-in details do not match an account."
    en = {"Accept-Language": "en"}
    assert wrong_password.status_code == unknown.status_code == 422
    web.client.set_cookie("lang", "en")
    a = web.submit("/login", {"contact": "13900000009", "password": "nope-nope-1"}, headers=en)
    b = web.submit("/login", {"contact": "13900000010", "password": "nope-nope-1"}, headers=en)
    assert message in a.get_data(as_text=True) and message in b.get_data(as_text=True)


def test_sign_in_and_out(web):
    factories.member(contact="13900000009")
    ok = web.submit("/login", {"contact": "13900000009", "password": factories.PASSWORD})
    assert ok.status_code == 303 and ok.location.endswith("/card")
    assert web.get("/card").status_code == 200
    web.submit("/logout", page="/card")
    assert web.get("/card").status_code == 302


def test_repeated_failures_are_throttled_per_account(web, app):
    factories.member(contact="13900000009")
    statuses = [
        web.submit("/login", {"contact": "13900000009", "password": "wrong-pass-1"}).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [422] * 5
    assert statuses[5] == 429
    # Even the right password is refused while the account is throttled.
    blocked = web.submit("/login", {"contact": "13900000009", "password": factories.PASSWORD})
    assert blocked.status_code == 429


def test_open_redirect_is_ignored(web):
    factories.member(contact="13900000009")
    response = web.submit(
        "/login?next=//evil.example/",
        {"contact": "13900000009", "password": factories.PASSWORD},
        page="/login",
    )
    assert response.location.endswith("/card")


def test_staff_sign_in_lands_on_dashboard_and_member_login_refuses_staff(app, web):
    staff = factories.staff("cashier")
    response = web.submit("/staff/login", {"email": staff.email, "password": factories.PASSWORD})
    assert response.status_code == 303 and response.location.endswith("/merchant/")
    assert "Merchant" in web.get("/merchant/", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    # A staff email is not a member account.
    other = web.submit("/login", {"contact": staff.email, "password": factories.PASSWORD})
    assert other.status_code == 422


def test_registration_is_audited(web):
    register(web)
    assert (
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "member.registered")
        )
        == 1
    )


def test_failures_from_one_address_are_throttled_across_accounts(make_app):
    app = make_app(SIGNIN_LIMIT_PER_IP="3 per 15 minutes", SIGNIN_LIMIT_PER_ACCOUNT="100 per hour")
    from tests.conftest import Browser

    browser = Browser(app.test_client())
    statuses = [
        browser.submit(
            "/login", {"contact": f"1390000{i:04d}", "password": "wrong-pass-1"}
        ).status_code
        for i in range(4)
    ]
    assert statuses == [422, 422, 422, 429]


def test_throttling_shared_through_redis(make_app):
    """With several workers the limits live in Redis: two app instances share one count."""
    import os

    import pytest

    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL not set (CI sets it)")
    from tests.conftest import Browser

    factories.member(contact="13900000009")
    config = {"RATELIMIT_STORAGE_URI": url, "SIGNIN_LIMIT_PER_ACCOUNT": "2 per minute"}
    first, second = make_app(**config), make_app(**config)
    with first.app_context():
        from memberportal.extensions import limiter

        limiter.reset()
    one, two = Browser(first.test_client()), Browser(second.test_client())
    wrong = {"contact": "13900000009", "password": "wrong-pass-1"}
    assert one.submit("/login", wrong).status_code == 422
    assert two.submit("/login", wrong).status_code == 422
    assert one.submit("/login", wrong).status_code == 429


def test_staff_see_role_names_not_role_codes(owner_web):
    factories.staff("cashier", email="till@example.com")
    zh = owner_web.get("/merchant/staff/").get_data(as_text=True)
    who = re.search(r'data-testid="staff-who">([^<]*)<', zh).group(1)
    assert who.endswith(" · 店主") and "owner" not in who.split("·")[-1]
    assert 'staff-role">收银员<' in zh and 'staff-role">cashier<' not in zh
    en = owner_web.get("/merchant/staff/", headers={"Accept-Language": "en"})
    assert 'staff-role">Cashier<' in en.get_data(as_text=True)
