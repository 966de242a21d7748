"""Outbound webhooks to a real HTTP receiver on 127.0.0.1: signed, retried with backoff,
logged attempt by attempt, replayed from the page, disabled after repeated failure; and the
SSRF guard refusing local and private addresses."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from sqlalchemy import select

from memberportal.audit.models import AuditEntry
from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.notifications import dispatch, queue, webhooks
from memberportal.notifications.models import WebhookEndpoint
from memberportal.tiers import services as tiers
from tests import factories
from tests.conftest import csrf_from

ACTOR = SystemActor(audit_label="test")


class Receiver:
    """A shop's endpoint: checks each signature, answers with the next status in `answers`."""

    def __init__(self, answers):
        self.answers, self.requests, self.secret = list(answers), [], None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                stamp = self.headers["X-Memberportal-Timestamp"]
                mac = hmac.new(receiver.secret.encode(), f"{stamp}.".encode() + body,
                               hashlib.sha256).hexdigest()  # fmt: skip
                valid = hmac.compare_digest(self.headers["X-Memberportal-Signature"], "v1=" + mac)
                receiver.requests.append((valid, json.loads(body)))
                status = (
                    receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
                )
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"busy")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook_app(make_app):
    app = make_app(NOTIFY_WEBHOOK_ALLOW_PRIVATE=True, NOTIFY_WEBHOOK_DISABLE_AFTER=3)
    with app.app_context():
        yield app


def _tier_up(member_id: int) -> list[int]:
    tiers.add_growth(member_id, 150, kind="spend", cause="purchase", source_type=None,
                     source_id=None, actor=ACTOR, now=utcnow())  # fmt: skip
    return dispatch.dispatch_all(utcnow()).outgoing


def test_500_twice_then_200_three_attempts_in_the_log(hook_app, app):
    receiver = Receiver([500, 500, 200])
    try:
        owner = factories.staff("owner")
        owner_email = owner.email
        endpoint, receiver.secret = webhooks.create_endpoint(
            receiver.url, ["tier.up"], actor=owner, now=utcnow()
        )
        endpoint_id = endpoint.id
        member = factories.member()
        member_id, member_no = member.id, member.member_no
        [delivery_id] = _tier_up(member_id)
        start = utcnow()
        outcomes = []
        for wait in (0, 31, 92):  # the backoff: 30 s, then 60 s
            with time_machine.travel(start + timedelta(seconds=wait), tick=False):
                outcomes.append(queue.deliver(delivery_id))
        assert outcomes == ["retry", "retry", "delivered"]
        assert [valid for valid, _ in receiver.requests] == [True, True, True]
        assert {body["id"] for _, body in receiver.requests} == {receiver.requests[0][1]["id"]}
        assert receiver.requests[0][1]["type"] == "tier.up"
        assert receiver.requests[0][1]["member_no"] == member_no
        db.session.remove()

        client = app.test_client()
        client.post("/staff/login", data={
            "csrf_token": csrf_from(client.get("/staff/login").get_data(as_text=True)),
            "email": owner_email, "password": factories.PASSWORD,
        })  # fmt: skip
        page = client.get(f"/merchant/webhooks/{endpoint_id}").get_data(as_text=True)
        assert page.count('data-testid="attempt"') == 3
        assert page.count("· 500 ·") == 2 and page.count("· 200 ·") == 1
        # Replay from the page: one more signed POST, a fourth attempt in the log.
        client.post(f"/merchant/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay",
                    data={"csrf_token": csrf_from(page)})  # fmt: skip
        assert queue.deliver(delivery_id) == "delivered"
        assert len(receiver.requests) == 4
        page = client.get(f"/merchant/webhooks/{endpoint_id}").get_data(as_text=True)
        assert page.count('data-testid="attempt"') == 4
    finally:
        receiver.close()


def test_disabled_after_repeated_failure_and_the_owner_told(hook_app):
    receiver = Receiver([500])
    try:
        owner = factories.staff("owner")
        owner_email = owner.email
        endpoint, receiver.secret = webhooks.create_endpoint(
            receiver.url, ["tier.up"], actor=owner, now=utcnow()
        )
        endpoint_id = endpoint.id
        ids = []
        for _ in range(3):
            ids += _tier_up(factories.member().id)
        assert [queue.deliver(d) for d in ids] == ["retry", "retry", "retry"]
        db.session.expire_all()
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        assert (endpoint.active, endpoint.consecutive_failures) == (False, 3)
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert "webhook.disabled" in actions
        [mail] = hook_app.extensions["mailman"].outbox
        assert mail.to == [owner_email] and receiver.url in mail.body
        # A disabled endpoint gets no new deliveries.
        assert _tier_up(factories.member().id) == []
    finally:
        receiver.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "ftp://example.com/hook",
        "javascript:alert(1)",
    ],
)
def test_ssrf_guard_refuses_local_and_private_addresses(url):
    owner = factories.staff("owner")
    with pytest.raises(webhooks.UnsafeUrl):
        webhooks.create_endpoint(url, ["tier.up"], actor=owner, now=utcnow())
    assert db.session.scalars(select(WebhookEndpoint)).all() == []


def test_owner_adds_an_endpoint_and_sees_the_secret_once(owner_web, make_app):
    page = owner_web.get("/merchant/webhooks/").get_data(as_text=True)
    response = owner_web.client.post("/merchant/webhooks/", data={
        "csrf_token": csrf_from(page), "url": "http://10.0.0.5/hook", "events": ["tier.up"],
    })  # fmt: skip
    assert response.status_code == 422
    assert "public host" in response.get_data(as_text=True) or "公网" in response.get_data(
        as_text=True
    )
    assert db.session.scalars(select(WebhookEndpoint)).all() == []
