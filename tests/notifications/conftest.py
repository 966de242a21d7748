"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the e-mail channel."""

from __future__ import annotations

import email
import os
import socket
import uuid
from email.policy import default

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the SMTP server received, parsed as a mail client would."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def mail_app(make_app, smtp):
    """An app that sends through the test SMTP server; its context is pushed for the test."""
    app = make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                   SITE_URL="http://127.0.0.1:5000")  # fmt: skip
    with app.app_context():
        yield app


REDIS_URL = "redis://127.0.0.1:6379/9"  # this area's own db number; never flushed whole


@pytest.fixture
def redis_url():
    from redis import Redis
    from redis.exceptions import RedisError

    url = os.environ.get("NOTIFY_TEST_REDIS_URL", REDIS_URL)
    try:
        Redis.from_url(url, socket_connect_timeout=1).ping()
    except RedisError:
        pytest.skip(f"no Redis at {url}")
    return url


@pytest.fixture
def queue_app(make_app, smtp, redis_url):
    """An app on Redis (its own queue name, removed after) sending mail to the test server."""
    from redis import Redis
    from rq import Queue

    name = f"test-{uuid.uuid4().hex[:8]}"
    app = make_app(NOTIFY_REDIS_URL=redis_url, NOTIFY_QUEUE=name, MAIL_BACKEND="smtp",
                   MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)  # fmt: skip
    with app.app_context():
        yield app
    redis = Redis.from_url(redis_url)
    Queue(name, connection=redis).delete(delete_jobs=True)
    for key in redis.scan_iter(f"*{name}*"):
        redis.delete(key)
