"""The job queue on Redis: a commit wakes a worker, which delivers; failures are retried
with backoff through RQ's scheduled jobs; without Redis the worker works in-process."""

import uuid
from datetime import timedelta

from redis import Redis
from rq import Queue, SimpleWorker
from rq.registry import ScheduledJobRegistry

from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.tiers import services as tiers
from tests import factories
from tests.notifications.conftest import free_port
from tests.notifications.helpers import deliveries, inbox

ACTOR = SystemActor(audit_label="test")


def _tier_up(member_id: int) -> None:
    tiers.add_growth(member_id, 150, kind="spend", cause="purchase", source_type=None,
                     source_id=None, actor=ACTOR, now=utcnow())  # fmt: skip


def _queue(app) -> Queue:
    redis = Redis.from_url(app.config["NOTIFY_REDIS_URL"])
    return Queue(app.config["NOTIFY_QUEUE"], connection=redis)


def test_a_commit_wakes_the_worker_which_delivers(queue_app, smtp):
    member_id = factories.member("li@example.com").id
    assert _queue(queue_app).count == 0
    _tier_up(member_id)  # commits: the event, and one dispatch job in Redis
    assert _queue(queue_app).count == 1
    assert inbox(member_id) == []
    SimpleWorker([_queue(queue_app)], connection=_queue(queue_app).connection).work(burst=True)
    assert [kind for kind, _ in inbox(member_id)] == ["tier.up"]
    assert [(d.channel, d.status) for d in deliveries()] == [
        ("inapp", "delivered"), ("email", "delivered"),
    ]  # fmt: skip
    assert [msg["To"] for msg in smtp.messages] == ["li@example.com"]


def test_a_failed_delivery_is_scheduled_again_with_backoff(make_app, redis_url):
    name = f"test-backoff-{uuid.uuid4().hex[:8]}"  # its own queue: suites may share Redis
    app = make_app(NOTIFY_REDIS_URL=redis_url, NOTIFY_QUEUE=name, MAIL_BACKEND="smtp",
                   MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # fmt: skip
    with app.app_context():
        q = _queue(app)
        try:
            _tier_up(factories.member("li@example.com").id)
            started = utcnow()
            SimpleWorker([q], connection=q.connection).work(burst=True)
            finished = utcnow()
            [email] = deliveries("email")
            assert (email.status, email.attempts) == ("pending", 1)
            scheduled = ScheduledJobRegistry(queue=q)
            [job_id] = scheduled.get_job_ids()
            at = scheduled.get_scheduled_time(job_id)
            assert abs((at - email.next_attempt_at).total_seconds()) <= 1
            # 30 s after the failed attempt, which fell between started and finished (a
            # loaded machine may take seconds to run the worker, so no bound on "now").
            retry = email.next_attempt_at
            assert started + timedelta(seconds=29) <= retry <= finished + timedelta(seconds=31)
        finally:
            for leftover in ScheduledJobRegistry(queue=q).get_job_ids():
                ScheduledJobRegistry(queue=q).remove(leftover, delete_job=True)
            q.delete(delete_jobs=True)


def test_without_redis_the_worker_delivers_in_process(mail_app, smtp):
    member_id = factories.member("li@example.com").id
    _tier_up(member_id)
    assert deliveries() == []  # waiting in the outbox, not dropped
    result = mail_app.test_cli_runner().invoke(
        args=["notifications", "worker", "--burst", "--no-scheduler"]
    )
    assert "no Redis" in result.output
    assert [kind for kind, _ in inbox(member_id)] == ["tier.up"]
    assert [msg["To"] for msg in smtp.messages] == ["li@example.com"]


def test_commits_share_one_redis_client_and_a_dead_one_is_dropped(queue_app):
    from memberportal.notifications import queue

    first = queue.connection()
    assert first is not None and queue.connection() is first  # no new connection per commit
    clients = first.connection_pool
    member_id = factories.member().id
    _tier_up(member_id)
    assert queue.connection() is first and first.connection_pool is clients
    # A client that fails is dropped; Redis is asked again only after a while.
    url = queue_app.config["NOTIFY_REDIS_URL"]
    queue._unreachable(url)
    try:
        assert queue.connection() is None
    finally:
        queue._down_until.pop(url, None)
    assert queue.connection() is not first
