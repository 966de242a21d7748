"""The job queue: RQ on Redis, with the database as the source of truth.

RQ jobs only say "look at the outbox" (`dispatch_job`) or "try delivery N" (`deliver_job`);
what must happen is in the tables, so a job lost with Redis, a worker killed mid-delivery or
Redis being absent loses nothing: the sweep (every minute from the scheduler, and at worker
start) hands every waiting event and due delivery to the queue again, and without Redis the
worker runs the same functions in-process, polling the tables (the fallback).
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager

from flask import current_app, has_app_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.notifications import dispatch

log = logging.getLogger("memberportal.notifications")
_down_until: dict[str, float] = {}
_clients: dict[str, Redis] = {}


def connection() -> Redis | None:
    """Redis for the queue, or None when none is configured or it did not answer lately.

    One client (and its connection pool) per URL and process, checked with a PING when it is
    made: a commit that wrote events then costs one command, not a new connection and a PING.
    A client that fails later is dropped by `_unreachable`."""
    url = current_app.config.get("NOTIFY_REDIS_URL") or ""
    if not url or _down_until.get(url, 0) > time.monotonic():
        return None
    redis = _clients.get(url)
    if redis is not None:
        return redis
    redis = Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=5)
    try:
        redis.ping()
    except RedisError:
        _unreachable(url)
        return None
    _clients[url] = redis
    return redis


def _unreachable(url: str) -> None:
    """Ask again in 30 s; meanwhile events wait in the outbox for the fallback or the sweep."""
    _clients.pop(url, None)
    _down_until[url] = time.monotonic() + 30
    log.warning("queue: Redis at %s does not answer; events wait in the outbox", url)


def queue(redis: Redis) -> Queue:
    return Queue(current_app.config["NOTIFY_QUEUE"], connection=redis)


def _queued_key() -> str:
    return f"memberportal:{current_app.config['NOTIFY_QUEUE']}:dispatch-queued"


def wake() -> None:
    """After a commit that wrote events: ask a worker to dispatch them (never raises; without
    Redis the events wait for the fallback worker or the next sweep)."""
    redis = connection()
    if redis is None:
        return
    try:
        # One waiting dispatch job is enough: it dispatches everything in the outbox.
        if redis.set(_queued_key(), 1, nx=True, ex=60):
            queue(redis).enqueue(dispatch_job)
    except RedisError:
        _unreachable(current_app.config.get("NOTIFY_REDIS_URL") or "")
        log.warning("queue: could not enqueue; the sweep will dispatch")


def wake_after_commit(session) -> None:
    if session.info.pop("notifications.wake", False):
        wake()


@contextmanager
def _app_context():
    """Jobs run in the worker's app context, or in a new app (a bare `rq worker`)."""
    if has_app_context():
        try:
            yield
        finally:
            db.session.remove()
        return
    from memberportal import create_app

    with create_app().app_context():
        yield


def dispatch_job() -> int:
    """RQ job: dispatch the outbox; queue each outgoing delivery. Returns events dispatched."""
    with _app_context():
        redis = connection()
        if redis is not None:
            redis.delete(_queued_key())
        done = dispatch.dispatch_all(utcnow())
        if redis is not None:
            for delivery_id in done.outgoing:
                queue(redis).enqueue(deliver_job, delivery_id)
        else:
            for delivery_id in done.outgoing:
                deliver(delivery_id)
        return done.events


def deliver_job(delivery_id: int) -> str:
    """RQ job: one attempt at one delivery; a failure schedules the next attempt in RQ (its
    scheduler runs in the worker) at the backoff the delivery row records."""
    with _app_context():
        outcome, retry_at = deliver_outcome(delivery_id)
        redis = connection() if retry_at else None
        if redis is not None:
            queue(redis).enqueue_at(retry_at, deliver_job, delivery_id)
        return outcome


def deliver(delivery_id: int) -> str:
    return deliver_outcome(delivery_id)[0]


def deliver_outcome(delivery_id: int):
    """Claim, send, record: ('delivered'|'retry'|'failed'|'skipped', when to retry)."""
    from memberportal.notifications.models import NotificationEvent

    now = utcnow()
    held = dispatch.claim(delivery_id, now)
    if held is None:
        return "skipped", None
    try:
        message = _prepare(held, db.session.get(NotificationEvent, held.event_id))
        # No transaction stays open while the outside party takes its time.
        db.session.rollback()
        message.send(delivery_id)
    except Exception as error:  # any failure of the outside party is retried
        log.info("delivery %s (%s) failed: %s", delivery_id, held.channel, error)
        retry_at = dispatch.record_failure(held, f"{type(error).__name__}: {error}", utcnow())
        if retry_at is None:
            _gave_up(held)
        return ("retry" if retry_at else "failed"), retry_at
    dispatch.record_success(held, utcnow())
    return "delivered", None


def _prepare(held, event):
    if held.channel == "webhook":
        from memberportal.notifications import webhooks
        from memberportal.notifications.models import WebhookEndpoint

        endpoint = db.session.get(WebhookEndpoint, int(held.target))
        return webhooks.Hook(endpoint, event, held.attempts)
    from memberportal.notifications import channels

    return channels.prepare(held.channel, event)


def _gave_up(held) -> None:
    log.warning("delivery %s (%s) given up", held.delivery_id, held.channel)


def sweep() -> dict[str, int]:
    """Hand everything waiting to the queue again (or, without Redis, deliver it here):
    undispatched events and due outgoing deliveries. Safe at any time: claims are
    conditional, so a delivery already queued is attempted once."""
    redis = connection()
    now = utcnow()
    if redis is None:
        done = dispatch.dispatch_all(now)
        due = dispatch.due_deliveries(now)
        for delivery_id in due:
            deliver(delivery_id)
        return {"events": done.events, "deliveries": len(due)}
    q = queue(redis)
    q.enqueue(dispatch_job)
    due = dispatch.due_deliveries(now)
    for delivery_id in due:
        q.enqueue(deliver_job, delivery_id)
    return {"events": -1, "deliveries": len(due)}
