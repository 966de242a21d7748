"""Outbound webhooks: endpoints the owner registers, signed deliveries, the attempt log.

Signature (documented for shops in the README): the request carries
`X-Memberportal-Timestamp: <unix seconds>` and
`X-Memberportal-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`.
Deliveries go only to http(s) URLs whose host resolves to public addresses (loopback,
link-local, private and reserved ranges are refused unless NOTIFY_WEBHOOK_ALLOW_PRIVATE is
set, for tests), without following redirects, with a short timeout.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from datetime import datetime
from urllib.parse import urlsplit

import requests
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, literal, select, update

from memberportal.audit import services as audit
from memberportal.core.clock import utcnow
from memberportal.core.db import insert_once_statement, use_case
from memberportal.core.errors import NotFound, ValidationFailed
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.notifications.models import (
    Delivery,
    NotificationEvent,
    WebhookAttempt,
    WebhookEndpoint,
)
from memberportal.notifications.rules import KINDS

TIMEOUT_SECONDS = 5
events_table = NotificationEvent.__table__
deliveries = Delivery.__table__


class UnsafeUrl(ValidationFailed):
    code = "unsafe_url"
    default_message = _l(
        "Use an http(s) address that resolves to a public host (no private or local addresses)."
    )


class NoEvents(ValidationFailed):
    code = "no_events"
    default_message = _l("Choose at least one event.")


def check_url(url: str) -> None:
    """Refuse what is not http(s) or resolves to a loopback, link-local, private or reserved
    address (SSRF), unless NOTIFY_WEBHOOK_ALLOW_PRIVATE. Raises UnsafeUrl."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl()
    if current_app.config.get("NOTIFY_WEBHOOK_ALLOW_PRIVATE"):
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError):
        raise UnsafeUrl() from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            raise UnsafeUrl()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


# --- the owner's use cases -------------------------------------------------------------------


@use_case
def create_endpoint(url: str, kinds: list[str], *, actor, now: datetime):
    """Register an endpoint; returns it and its secret (shown once). Raises UnsafeUrl,
    NoEvents. Audited (without the secret)."""
    url = (url or "").strip()
    if len(url) > 500:
        raise UnsafeUrl()
    check_url(url)
    kinds = sorted(set(kinds))
    if not kinds or any(k not in KINDS for k in kinds):
        raise NoEvents()
    secret = "whsec_" + secrets.token_hex(24)
    endpoint = WebhookEndpoint(url=url, events=kinds, secret=secret, created_at=now)
    db.session.add(endpoint)
    db.session.flush()
    audit.record("webhook.created", actor=actor, subject_type="webhook_endpoint",
                 subject_id=endpoint.id, url=url, events=kinds)  # fmt: skip
    return endpoint, secret


@use_case
def enable_endpoint(endpoint_id: int, *, actor) -> bool:
    """Enable a disabled endpoint again (its failure count starts over). Audited."""
    changed = db.session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.active.is_(False))
        .values(active=True, consecutive_failures=0, disabled_at=None)
    ).rowcount
    if changed:
        audit.record("webhook.enabled", actor=actor, subject_type="webhook_endpoint",
                     subject_id=endpoint_id)  # fmt: skip
    return bool(changed)


@use_case
def replay(delivery_id: int, *, actor, now: datetime) -> bool:
    """Send one webhook delivery again (delivered or given up): back to pending, due now.
    Conditional on its state, so two clicks queue it once. Audited."""
    changed = db.session.execute(
        update(deliveries)
        .where(
            deliveries.c.id == delivery_id,
            deliveries.c.channel == "webhook",
            deliveries.c.status.in_(("delivered", "failed")),
        )
        .values(status="pending", next_attempt_at=now, leased_until=None, created_at=now)
    ).rowcount
    if not changed:
        raise NotFound()
    db.session.info["notifications.wake"] = True
    audit.record("webhook.replayed", actor=actor, subject_type="notification_delivery",
                 subject_id=delivery_id)  # fmt: skip
    return True


# --- fan-out and sending (called by dispatch and the worker) ---------------------------------


def fan_out(ids: list[int], now: datetime) -> None:
    """One delivery per event and active endpoint that subscribed to its kind (UNIQUE)."""
    endpoints = db.session.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.events).where(WebhookEndpoint.active)
    ).all()
    for endpoint_id, kinds in endpoints:
        rows = select(
            events_table.c.id, literal("webhook"), literal(str(endpoint_id)), literal("pending"),
            literal(0), events_table.c.created_at, events_table.c.created_at,
        ).where(events_table.c.id.in_(ids), events_table.c.kind.in_(kinds))  # fmt: skip
        columns = ["event_id", "channel", "target", "status", "attempts", "next_attempt_at"]
        db.session.execute(
            insert_once_statement(deliveries, rows=rows, columns=[*columns, "created_at"])
        )


class Hook:
    """One signed POST of one event to one endpoint."""

    def __init__(self, endpoint: WebhookEndpoint, event: NotificationEvent, attempt: int):
        member_no = db.session.scalar(select(Member.member_no).where(Member.id == event.member_id))
        self.endpoint_id, self.url, self.secret = endpoint.id, endpoint.url, endpoint.secret
        self.active, self.attempt = endpoint.active, attempt
        self.body = json.dumps(
            {
                "id": f"evt_{event.id}",
                "type": event.kind,
                "created": event.created_at.isoformat(),
                "member_no": member_no,
                "data": event.payload,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()

    def send(self, delivery_id: int) -> None:
        if not self.active:
            raise RuntimeError("endpoint disabled")
        check_url(self.url)
        timestamp = int(time.time())
        started = time.perf_counter()
        status, answer, error = None, None, None
        try:
            response = requests.post(
                self.url, data=self.body, timeout=TIMEOUT_SECONDS, allow_redirects=False,
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "User-Agent": "memberportal-webhooks/1",
                    "X-Memberportal-Event": f"evt_{delivery_id}",
                    "X-Memberportal-Timestamp": str(timestamp),
                    "X-Memberportal-Signature": sign(self.secret, timestamp, self.body),
                },
            )  # fmt: skip
            status, answer = response.status_code, response.text[:500]
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        ok = status is not None and 200 <= status < 300
        if _log_attempt(delivery_id, self, status, answer, error, started, ok):
            _tell_owners(self, current_app.config["NOTIFY_WEBHOOK_DISABLE_AFTER"])
        if not ok:
            raise RuntimeError(error or f"HTTP {status}")


@use_case
def _log_attempt(delivery_id, hook: Hook, status, answer, error, started, ok) -> bool:
    """The delivery log row; the endpoint's run of failures (reset by a success), and the
    endpoint disabled once it reaches NOTIFY_WEBHOOK_DISABLE_AFTER (audited; True then, and
    the owners are e-mailed after the commit)."""
    now = utcnow()
    db.session.execute(
        insert(WebhookAttempt).values(
            delivery_id=delivery_id, endpoint_id=hook.endpoint_id, attempt=hook.attempt,
            status_code=status, response=answer, error=error,
            duration_ms=int((time.perf_counter() - started) * 1000), at=now,
        )
    )  # fmt: skip
    endpoints = WebhookEndpoint.__table__
    failures = 0 if ok else endpoints.c.consecutive_failures + 1
    db.session.execute(
        update(endpoints).where(endpoints.c.id == hook.endpoint_id)
        .values(consecutive_failures=failures)
    )  # fmt: skip
    limit = current_app.config["NOTIFY_WEBHOOK_DISABLE_AFTER"]
    disabled = db.session.execute(
        update(endpoints)
        .where(endpoints.c.id == hook.endpoint_id, endpoints.c.active,
               endpoints.c.consecutive_failures >= limit)
        .values(active=False, disabled_at=now)
    ).rowcount  # fmt: skip
    if disabled:
        from memberportal.core.actors import SystemActor

        audit.record("webhook.disabled", actor=SystemActor(audit_label="webhooks"),
                     subject_type="webhook_endpoint", subject_id=hook.endpoint_id,
                     reason=f"{limit} failed deliveries in a row", url=hook.url)  # fmt: skip
    return bool(disabled)


def _tell_owners(hook: Hook, limit: int) -> None:
    """E-mail every active owner that the endpoint was disabled (best effort: the page shows
    it too, and the audit trail has it)."""
    from flask_mailman import EmailMessage

    from memberportal.accounts.models import StaffUser

    owners = db.session.scalars(
        select(StaffUser.email).where(StaffUser.role == "owner", StaffUser.is_enabled)
    ).all()
    if not owners:
        return
    text = (
        f"The webhook endpoint {hook.url} was disabled after {limit} failed deliveries in a "
        f"row.\n{current_app.config['SITE_URL'].rstrip('/')}/merchant/webhooks/\n"
        f"Webhook {hook.url} 连续 {limit} 次投递失败，已停用。"
    )
    try:
        EmailMessage(subject="Webhook disabled / Webhook 已停用", body=text, to=owners).send()
    except Exception:  # noqa: BLE001 - the page and the audit trail still say it
        current_app.logger.warning("could not e-mail the owners about webhook %s", hook.url)
