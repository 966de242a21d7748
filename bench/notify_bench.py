"""Notifications benchmark on PostgreSQL and Redis (not collected by pytest).

100,000 members each hold points that lapse within the warning window. Reports, in one run:
writing the 100,000 expiry warnings to the outbox (`warn_expiring_points`), and delivering
them to the in-app channel through the job queue (one RQ dispatch job, worked by an RQ
SimpleWorker in this process) as messages per second; and, as a yardstick on the same
machine, one INSERT ... SELECT of 100,000 rows, the least any per-message write can cost.

    .venv/bin/python bench/notify_bench.py [postgresql://postgres@127.0.0.1:5432/mp_notify_bench] \
        [redis://127.0.0.1:6379/9]

The database is created if missing and its schema is dropped and rebuilt: use a throw-away one.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from points_bench import ensure_database, sa_url, timed  # noqa: E402

URL = sys.argv[1] if len(sys.argv) > 1 else "postgresql://postgres@127.0.0.1:5432/mp_notify_bench"
REDIS = sys.argv[2] if len(sys.argv) > 2 else "redis://127.0.0.1:6379/9"
MEMBERS = 100_000


def load(db, tier_id: int) -> None:
    sql = [
        "INSERT INTO members (id, member_no, card_code, name, phone, password_hash, tier_id,"
        " points_balance, points_debt, growth, growth_spend, growth_interaction, joined_at,"
        " is_active_member) SELECT g, (1000000000 + g)::text, 'MPB' || g, 'Bench ' || g,"
        " (13000000000 + g)::text, 'x', :tier, 100, 0, 0, 0, 0, now() - interval '1 year',"
        " true FROM generate_series(1, :members) g",
        "INSERT INTO point_entries (member_id, entry_type, kind, points, debt_points, remaining,"
        " expired_points, source_type, expires_at, actor_kind, actor_label, at) SELECT g,"
        " 'earn', 'campaign', 100, 0, 100, 0, 'bench', now() + (g % 20 + 1) * interval '1 day',"
        " 'system', 'bench', now() - interval '355 days' FROM generate_series(1, :members) g",
        "SELECT setval(pg_get_serial_sequence('members', 'id'), :members)",
    ]
    with db.engine.begin() as conn:
        for statement in sql:
            conn.execute(text(statement), {"tier": tier_id, "members": MEMBERS})
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def main() -> None:
    ensure_database(URL)
    os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="notify-bench-")
    os.environ["DATABASE_URL"] = URL
    from flask_migrate import upgrade
    from redis import Redis
    from rq import Queue, SimpleWorker

    from memberportal import create_app
    from memberportal.core.clock import utcnow
    from memberportal.demo import TIERS
    from memberportal.extensions import db
    from memberportal.notifications import queue, services
    from memberportal.tiers.models import Tier

    name = f"bench-{uuid.uuid4().hex[:8]}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": sa_url(URL), "NOTIFY_REDIS_URL": REDIS,
                      "NOTIFY_QUEUE": name})  # fmt: skip
    logging.getLogger("memberportal").disabled = True
    logging.getLogger("rq").disabled = True
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=app.extensions["migrate"].directory)
        for code, rank, zh, en, threshold, mult, bps, _bz, _be in TIERS:
            db.session.add(Tier(code=code, rank=rank, name_zh=zh, name_en=en,
                                growth_threshold=threshold, points_multiplier_pct=mult,
                                paid_discount_bps=bps))  # fmt: skip
        db.session.commit()
        tier_id = db.session.scalar(text("SELECT id FROM tiers WHERE rank = 1"))
        timed("load 100k members with lapsing points", lambda: load(db, tier_id))

        def yardstick():
            with db.engine.begin() as conn:
                conn.execute(text("CREATE TEMP TABLE copy AS SELECT * FROM point_entries LIMIT 0"))
                conn.execute(text("INSERT INTO copy SELECT * FROM point_entries"))

        _, floor = timed("yardstick: INSERT ... SELECT of 100k rows", yardstick)
        warned, enqueue_s = timed(
            "write 100k warnings to the outbox (one job)",
            lambda: services.warn_expiring_points(utcnow()),
        )
        assert warned == MEMBERS, warned
        redis = Redis.from_url(REDIS)
        q = Queue(name, connection=redis)
        assert q.count == 1, "the commit should have queued one dispatch job"
        worker = SimpleWorker([q], connection=redis)
        _, deliver_s = timed("deliver them in-app (RQ worker, burst)", lambda: worker.work(
            burst=True, logging_level="WARNING"))  # fmt: skip
        delivered = db.session.scalar(text("SELECT count(*) FROM notifications"))
        assert delivered == MEMBERS, delivered
        q.delete(delete_jobs=True)
        total = enqueue_s + deliver_s
        print(f"{'in-app notifications delivered':<44} {delivered:>10,}")
        print(f"{'messages/s, outbox to in-app (end to end)':<44} {MEMBERS / total:10,.0f}")
        print(f"{'messages/s, delivery alone':<44} {MEMBERS / deliver_s:10,.0f}")
        print(f"{'ratio end to end / one 100k-row INSERT':<44} {total / floor:8.1f}")
        unread = db.session.scalar(text("SELECT count(*) FROM notifications WHERE read_at IS NULL"))
        print(f"{'unread (a bell on each member page)':<44} {unread:>10,}")
        db.session.remove()
        db.engine.dispose()
        del queue


if __name__ == "__main__":
    main()
