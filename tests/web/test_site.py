"""Health, headers, htmx source, languages, CLI."""

from sqlalchemy import func, select

from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.mall.models import Item
from memberportal.members.queries import card_code_for
from tests import factories


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_unreachable(make_app):
    app = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_security_headers_and_cookie_flags(web):
    response = web.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_secure_over_https(client):
    response = client.get("/login", base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]


def test_htmx_local_copy_and_csrf_header(web):
    page = web.get("/login").get_data(as_text=True)
    assert "/static/vendor/htmx.min.js" in page
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
    with web.get("/static/vendor/htmx.min.js") as static:
        assert static.status_code == 200


def test_htmx_from_cdn_with_sri_and_local_fallback(make_app):
    cdn_app = make_app(HTMX_SOURCE="cdn")
    response = cdn_app.test_client().get("/login")
    page = response.get_data(as_text=True)
    assert "https://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js" in page
    assert 'integrity="sha384-' in page
    assert 'data-local="/static/vendor/htmx.min.js"' in page
    assert "https://cdn.jsdelivr.net" in response.headers["Content-Security-Policy"]


def test_local_htmx_matches_pinned_integrity(app):
    import base64
    import hashlib
    from pathlib import Path

    from memberportal.core.templating import HTMX_SRI

    data = (Path(app.static_folder) / "vendor" / "htmx.min.js").read_bytes()
    digest = base64.b64encode(hashlib.sha384(data).digest()).decode()
    assert f"sha384-{digest}" == HTMX_SRI
    assert b'version:"2.0.11"' in data


def test_language_from_browser_and_switch(web):
    zh = web.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    en = web.get("/login", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    assert "登录" in zh and 'lang="zh-Hans"' in zh
    assert "Sign in" in en and 'lang="en"' in en
    web.submit("/lang/en?next=/login", page="/login")
    switched = web.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Sign in" in switched


def test_money_and_dates_follow_locale(app):
    from datetime import UTC, datetime

    from memberportal.core.money import format_cents
    from memberportal.core.templating import iso_day

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert format_cents(123456) == "CN¥1,234.56"
        # 20:30 UTC on 31 March is already 1 April in Shanghai.
        assert iso_day(datetime(2027, 3, 31, 20, 30, tzinfo=UTC)) == "2027-04-01"
    with app.test_request_context(headers={"Accept-Language": "zh"}):
        assert format_cents(123456) == "¥1,234.56"


def table_counts():
    return {
        t.name: db.session.execute(select(func.count()).select_from(t)).scalar()
        for t in db.metadata.sorted_tables
    }


def test_setup_demo_twice_leaves_same_counts(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["setup", "--demo"])
    assert first.exit_code == 0, first.output
    counts = table_counts()
    assert counts["tiers"] == 4 and counts["staff_users"] == 3 and counts["members"] == 15
    # Four tier coupons, two for the paid card, one for the birthday month, one for member day,
    # and the one the mall's coupon item gives (500 points for 10 off 59).
    assert counts["coupon_templates"] == 9
    coupon_item = db.session.scalars(select(Item).where(Item.kind == "coupon")).one()
    assert coupon_item.points_price == 500 and coupon_item.state == "on_sale"
    assert coupon_item.coupon_template.source == "mall"
    assert coupon_item.coupon_template.amount_cents == 1000
    assert coupon_item.coupon_template.min_spend_cents == 5900
    second = runner.invoke(args=["setup", "--demo"])
    assert second.exit_code == 0 and "Demo data present" in second.output
    assert table_counts() == counts


def test_demo_members_joined_over_the_past_year_before_their_purchases(app):
    from memberportal.core.clock import utcnow
    from memberportal.members.models import Member
    from memberportal.purchases.models import Purchase

    assert app.test_cli_runner().invoke(args=["setup", "--demo"]).exit_code == 0
    now = utcnow()
    members = db.session.scalars(select(Member)).all()
    ages = sorted((now - m.joined_at).days for m in members)
    assert ages[0] >= 14 and ages[-1] <= 365 and len({a // 30 for a in ages}) >= 10
    for m in members:
        first = db.session.scalar(
            select(db.func.min(Purchase.at)).where(Purchase.member_id == m.id)
        )
        assert first is None or first > m.joined_at, m.member_no


def test_create_staff_reads_password_from_stdin(app, web):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-staff", "boss@example.com", "--role", "owner"], input="A-Strong-Pass-9\n"
    )
    assert result.exit_code == 0, result.output
    response = web.submit(
        "/staff/login", {"email": "boss@example.com", "password": "A-Strong-Pass-9"}
    )
    assert response.status_code == 303
    again = runner.invoke(
        args=["create-staff", "boss@example.com", "--role", "owner"], input="A-Strong-Pass-9\n"
    )
    assert again.exit_code != 0 and ("already exists" in again.output or "已存在" in again.output)
    weak = runner.invoke(
        args=["create-staff", "b2@example.com", "--role", "cashier"], input="123\n"
    )
    assert weak.exit_code != 0


def test_migrations_match_the_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_cashier_finds_member_by_number_and_card_code(cashier_web):
    member = factories.member(contact="13900000055")
    by_number = cashier_web.get(f"/merchant/members/?q={member.member_no}")
    assert by_number.status_code == 302
    assert by_number.location.endswith(f"/members/{member.id}?typed=1")
    by_code = cashier_web.get(f"/merchant/members/?q={card_code_for(member, utcnow()).display}")
    assert by_code.location.endswith(f"/members/{member.id}")
    detail = cashier_web.get(by_code.location).get_data(as_text=True)
    assert member.member_no in detail
    missing = cashier_web.get("/merchant/members/?q=0000000000").get_data(as_text=True)
    assert "0000000000" in missing and 'data-testid="member-results"' not in missing
    live = cashier_web.get(
        f"/merchant/members/?q={member.member_no[:5]}", headers={"HX-Request": "true"}
    )
    assert live.status_code == 200 and member.member_no in live.get_data(as_text=True)
    assert "<html" not in live.get_data(as_text=True)


def test_one_log_line_per_request_with_status_and_duration(client):
    import logging

    class Collect(logging.Handler):
        def __init__(self):
            super().__init__()
            self.records = []

        def emit(self, record):
            self.records.append(record)

    collect = Collect()
    logger = logging.getLogger("memberportal.request")
    logger.addHandler(collect)
    try:
        client.get("/healthz")
        client.get("/no-such-page")
    finally:
        logger.removeHandler(collect)
    lines = [r.getMessage() for r in collect.records]
    assert len(lines) == 2
    assert lines[0].startswith("GET /healthz 200 ") and lines[0].endswith("ms")
    assert lines[1].startswith("GET /no-such-page 404 ")


def test_nul_bytes_are_refused_with_400_not_a_crash(web, client):
    login = web.submit("/login", {"contact": "138\x000000001", "password": "x\x00y"})
    assert login.status_code == 400
    assert client.get("/login?next=/card%00").status_code == 400
