"""The recurring jobs, started at brand-local times by the scheduler, once per slot.

Each job keeps its own idempotency (its set-based SQL is safe twice or on two hosts); on top,
a UNIQUE (job, slot) row decides which scheduler starts it, so two schedulers at once start
each run once.
"""

from __future__ import annotations

import logging
from datetime import datetime, time

from flask import current_app

from memberportal.core.clock import local
from memberportal.core.db import insert_once, use_case
from memberportal.extensions import db
from memberportal.notifications.models import ScheduleRun
from memberportal.notifications.rules import Schedule, slot

log = logging.getLogger("memberportal.notifications")

SCHEDULES = (
    Schedule("points expire", ("points", "expire"), at=time(0, 5)),
    Schedule("tiers reevaluate", ("tiers", "reevaluate"), at=time(0, 20)),
    Schedule("coupons issue", ("coupons", "issue"), at=time(0, 35)),
    Schedule("api purge-keys", ("api", "purge-keys"), at=time(3, 0)),
    Schedule("mall release-expired", ("mall", "release-expired"), every_minutes=5),
    Schedule("risk scan", ("risk", "scan"), every_minutes=10),
    Schedule("notifications sweep", ("notifications", "sweep"), every_minutes=1),
)


@use_case
def start(schedule: Schedule, now: datetime) -> bool:
    """Claim this job's current slot; True for exactly one scheduler (UNIQUE job, slot)."""
    owed = slot(schedule, local(now))
    if owed is None:
        return False
    return insert_once(ScheduleRun, job=schedule.name, slot=owed, started_at=now)


def tick(now: datetime, run) -> list[str]:
    """Start every job whose slot came and that no scheduler started yet; `run(schedule)`
    runs it (enqueues it, or in the fallback runs it here). Returns the jobs started."""
    started = []
    for schedule in SCHEDULES:
        if start(schedule, now):
            started.append(schedule.name)
            run(schedule)
    return started


def run_command(command: tuple[str, ...]) -> None:
    """Run one of the app's CLI commands in this app context (as `flask --app app ...`)."""
    app = current_app._get_current_object()
    try:
        app.cli.main(args=list(command), prog_name="flask", standalone_mode=False)
    except Exception:
        log.exception("scheduled job %s failed", " ".join(command))
    finally:
        db.session.remove()


def command_job(command: list[str]) -> None:
    """RQ job: run a scheduled command."""
    from memberportal.notifications.queue import _app_context

    with _app_context():
        run_command(tuple(command))
