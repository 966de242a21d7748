"""A worker killed in the middle of sending loses nothing: after a restart the message is
delivered, once. The worker is the real command in its own process, on Redis."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.tiers import services as tiers
from tests import factories
from tests.notifications.conftest import Inbox, free_port
from tests.notifications.helpers import deliveries

ROOT = Path(__file__).resolve().parents[2]
ACTOR = SystemActor(audit_label="test")


class StallingInbox(Inbox):
    """Holds the first message's DATA until told, then refuses it; accepts the rest."""

    def __init__(self):
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if not self.entered.is_set():
            self.entered.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 try again later"
        return await super().handle_DATA(server, session, envelope)


def _worker(app, smtp_port: int, *extra: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "NOTIFY_REDIS_URL": app.config["NOTIFY_REDIS_URL"],
        "NOTIFY_QUEUE": app.config["NOTIFY_QUEUE"],
        "NOTIFY_LEASE_SECONDS": "2",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
    }
    command = [sys.executable, "-m", "flask", "--app", "app", "notifications", "worker",
               "--no-scheduler", *extra]  # fmt: skip
    # Its own process group: killing the group is the host going down (RQ's scheduler runs
    # in a child process).
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)  # fmt: skip


@pytest.mark.concurrency
def test_a_worker_killed_mid_delivery_loses_nothing(queue_app):
    inbox = StallingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    first = second = None
    try:
        member_id = factories.member("li@example.com").id
        tiers.add_growth(member_id, 150, kind="spend", cause="purchase", source_type=None,
                         source_id=None, actor=ACTOR, now=utcnow())  # fmt: skip
        db.session.remove()
        first = _worker(queue_app, controller.port)
        assert inbox.entered.wait(60), first.communicate(timeout=5)[0] if first.poll() else ""
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        first.stdout.close()
        inbox.release.set()
        [email] = deliveries("email")
        assert (email.status, email.attempts, inbox.messages) == ("pending", 1, [])
        assert email.leased_until is not None
        db.session.remove()
        time.sleep(2.5)  # the dead worker's lease runs out
        second = _worker(queue_app, controller.port, "--burst")
        output = second.communicate(timeout=90)[0]
        assert second.returncode == 0, output
        [email] = deliveries("email")
        assert (email.status, email.attempts) == ("delivered", 2)
        assert [m["To"] for m in inbox.messages] == ["li@example.com"]
    finally:
        inbox.release.set()
        controller.stop()
        for process in (first, second):
            if process is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)  # RQ's scheduler child too
                process.wait(10)
