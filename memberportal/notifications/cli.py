"""`flask --app app notifications ...`: the worker, the scheduler and the sweep."""

from __future__ import annotations

import logging
import threading
import time

import click
from flask import current_app
from flask.cli import AppGroup

from memberportal.core.clock import utcnow
from memberportal.extensions import db

notifications = AppGroup("notifications", help="Notifications, the job queue and schedules.")
log = logging.getLogger("memberportal.notifications")


@notifications.command("worker")
@click.option("--burst", is_flag=True, help="Work until the queue is empty, then stop.")
@click.option("--scheduler/--no-scheduler", default=True, help="Also run the scheduler.")
@click.option("--poll", default=2.0, show_default=True, help="Fallback: seconds between polls.")
def worker(burst: bool, scheduler: bool, poll: float) -> None:
    """Deliver notifications and run scheduled jobs: an RQ worker on NOTIFY_REDIS_URL, or,
    when Redis does not answer, the same work in this process, polling the outbox."""
    from rq import SimpleWorker

    from memberportal.notifications import queue

    app = current_app._get_current_object()
    stop = threading.Event()
    if scheduler:
        threading.Thread(target=scheduler_loop, args=(app, stop), daemon=True).start()
    redis = queue.connection()
    try:
        if redis is None:
            click.echo("notifications worker: no Redis; delivering from the outbox in-process")
            while True:
                queue.sweep()
                db.session.remove()
                if burst:
                    break
                time.sleep(poll)
            return
        click.echo(f"notifications worker: RQ on {app.config['NOTIFY_REDIS_URL']}")
        queue.sweep()
        # RQ's scheduler runs in a forked process: it must inherit no database connection.
        db.session.remove()
        db.engine.dispose()
        # SimpleWorker runs jobs in this process (no fork), in this app context.
        SimpleWorker([queue.queue(redis)], connection=redis).work(
            with_scheduler=True, burst=burst, logging_level="WARNING"
        )
    finally:
        stop.set()


@notifications.command("scheduler")
@click.option("--once", is_flag=True, help="Start what is due now, then stop.")
def scheduler(once: bool) -> None:
    """Start the recurring jobs at their brand-local times (once per slot, whichever
    scheduler claims it first)."""
    app = current_app._get_current_object()
    if once:
        click.echo("started: " + (", ".join(tick_once()) or "nothing due"))
        return
    scheduler_loop(app, threading.Event())


def tick_once() -> list[str]:
    from memberportal.notifications import queue, schedule

    redis = queue.connection()

    def run(job):
        if redis is None:
            schedule.run_command(job.command)
        else:
            queue.queue(redis).enqueue(schedule.command_job, list(job.command))

    return schedule.tick(utcnow(), run)


def scheduler_loop(app, stop: threading.Event, every: float = 20.0) -> None:
    while not stop.is_set():
        with app.app_context():
            try:
                tick_once()
            except Exception:
                log.exception("scheduler tick failed")
        stop.wait(every)


@notifications.command("sweep")
def sweep() -> None:
    """Hand waiting events and due deliveries to the queue (or deliver them, without Redis)."""
    from memberportal.notifications import queue

    result = queue.sweep()
    click.echo(f"Swept: {result['deliveries']} deliveries due.")


@notifications.command("warn-expiring")
@click.option("--days", type=int, default=None, help="Warning window (NOTIFY_EXPIRY_WARNING_DAYS).")
def warn_expiring(days: int | None) -> None:
    """Warn members whose points lapse within the window (once per member and expiry)."""
    from memberportal.notifications import services

    click.echo(f"Wrote {services.warn_expiring_points(utcnow(), days=days)} expiry warnings.")
