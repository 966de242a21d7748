"""What every request passes through (memberportal.register_request_hooks and the session
interface): security headers once each, the request log line, the session cookie."""

import logging

import pytest

from memberportal.api import services
from memberportal.core.actors import SystemActor
from tests import factories

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
)


@pytest.fixture
def request_log():
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    collect = Collect()
    logger = logging.getLogger("memberportal.request")
    logger.addHandler(collect)
    yield lines
    logger.removeHandler(collect)


@pytest.mark.parametrize("path", ["/login", "/healthz", "/api/v1/members/1", "/no-such-page"])
def test_every_answer_carries_each_security_header_once(client, path):
    plain = client.get(path)
    for name in SECURITY_HEADERS:
        assert len(plain.headers.getlist(name)) == 1, name
    assert plain.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in plain.headers
    secure = client.get(path, base_url="https://localhost")
    assert secure.headers.getlist("Strict-Transport-Security") == ["max-age=31536000"]


def test_a_views_own_security_header_is_kept_not_doubled(make_app):
    app = make_app()

    @app.get("/framed-by-us")
    def framed():
        return "", 204, {"X-Frame-Options": "SAMEORIGIN", "Strict-Transport-Security": "max-age=1"}

    client = app.test_client()
    response = client.get("/framed-by-us", base_url="https://localhost")
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers.getlist("Strict-Transport-Security") == ["max-age=1"]
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_api_calls_log_one_line_each_with_their_status(client, request_log):
    member = factories.member()
    _api_client, token = services.create_client("Log till", actor=SystemActor())
    headers = {"Authorization": f"Bearer {token}"}
    body = {"member": member.member_no, "order_ref": "LOG-1", "amount_cents": 1000}
    client.post("/api/v1/purchases", json=body, headers=headers)
    client.post("/api/v1/purchases", json=body, headers={"Authorization": "Bearer mpk_no_no"})
    client.get(f"/api/v1/members/{member.member_no}", headers=headers)
    assert [line.rsplit(" ", 1)[0] for line in request_log] == [
        "POST /api/v1/purchases 201",
        "POST /api/v1/purchases 401",
        f"GET /api/v1/members/{member.member_no} 200",
    ]
    assert all(line.endswith("ms") for line in request_log)


def test_no_session_cookie_is_set_without_one_and_a_signed_in_session_still_holds(
    client, member_web
):
    answer = client.get("/healthz")
    assert "Set-Cookie" not in answer.headers
    assert "Cookie" in answer.headers.get("Vary", "")  # the session was looked at
    card = member_web.get("/card")
    assert card.status_code == 200 and "/login" not in card.headers.get("Location", "")
