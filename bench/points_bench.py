"""Points benchmark on PostgreSQL (not collected by pytest).

Loads 100,000 members and about 2,000,000 ledger rows (one member with 5,000) with bulk SQL,
then reports in one run: `points expire`, the points page's median render time for the
5,000-row member, and `points verify`.

    .venv/bin/python bench/points_bench.py [postgresql://postgres@127.0.0.1:5432/mp_points_bench]

The database is created if missing and its schema is dropped and rebuilt: use a throw-away one.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time

from sqlalchemy import create_engine, text

URL = sys.argv[1] if len(sys.argv) > 1 else "postgresql://postgres@127.0.0.1:5432/mp_points_bench"
MEMBERS, PER_MEMBER, HEAVY = 100_000, 20, 5_000
PASSWORD = "bench-password-1"


def sa_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def ensure_database(url: str) -> None:
    base, name = sa_url(url).rsplit("/", 1)
    engine = create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    print(f"{label:<44} {elapsed:8.2f} s")
    return result, elapsed


def load(db, tier_id: int, password_hash: str) -> None:
    sql = [
        (
            "INSERT INTO members (id, member_no, card_code, name, phone, password_hash, tier_id,"
            " points_balance, points_debt, growth, growth_spend, growth_interaction, joined_at,"
            " is_active_member) SELECT g, (1000000000 + g)::text, 'MPB' || g, 'Bench ' || g,"
            " (13000000000 + g)::text, :hash, :tier, 0, 0, 0, 0, 0, now() - interval '2 years',"
            " true FROM generate_series(1, :members) g"
        ),
        # Member 1 holds 5,000 lots (earn entries); every other member 20. About 9% are past
        # their expiry.
        (
            "INSERT INTO point_entries (member_id, entry_type, kind, points, debt_points,"
            " remaining, expired_points, source_type, expires_at, actor_kind, actor_label, at)"
            " SELECT 1, 'earn', 'campaign', 10 + s % 90, 0, 10 + s % 90, 0, 'bench',"
            " now() - (s % 400) * interval '1 day' + interval '365 days', 'system', 'bench',"
            " now() - (s % 400) * interval '1 day' FROM generate_series(1, :heavy) s"
        ),
        (
            "INSERT INTO point_entries (member_id, entry_type, kind, points, debt_points,"
            " remaining, expired_points, source_type, expires_at, actor_kind, actor_label, at)"
            " SELECT 2 + (s - 1) / :per, 'earn', 'campaign', 10 + s % 90, 0, 10 + s % 90, 0,"
            " 'bench', now() - (s % 400) * interval '1 day' + interval '365 days', 'system',"
            " 'bench', now() - (s % 400) * interval '1 day'"
            " FROM generate_series(1, (:members - 1) * :per) s"
        ),
        (
            "UPDATE members m SET points_balance = s.total FROM (SELECT member_id,"
            " sum(remaining) AS total FROM point_entries GROUP BY member_id) s"
            " WHERE s.member_id = m.id"
        ),
        "SELECT setval(pg_get_serial_sequence('members', 'id'), :members)",
    ]
    params = {
        "hash": password_hash, "tier": tier_id, "members": MEMBERS, "heavy": HEAVY,
        "per": PER_MEMBER,
    }  # fmt: skip
    with db.engine.begin() as conn:
        for statement in sql:
            conn.execute(text(statement), params)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def render_median(
    app, path: str = "/points", marker: str = 'data-testid="history-row"', rounds: int = 15
) -> float:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"csrf_token": token, "contact": "13000000001",
                                 "password": PASSWORD})  # fmt: skip
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200 and marker in response.text
    return statistics.median(times)


def main() -> None:
    ensure_database(URL)
    os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="points-bench-")
    os.environ["DATABASE_URL"] = URL
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from memberportal import create_app
    from memberportal.core.clock import utcnow
    from memberportal.demo import TIERS
    from memberportal.extensions import db
    from memberportal.points import ledger
    from memberportal.points.queries import ledger_mismatches
    from memberportal.tiers.models import Tier

    app = create_app({"SQLALCHEMY_DATABASE_URI": sa_url(URL), "HTMX_SOURCE": "local"})
    app.logger.disabled = True
    import logging

    logging.getLogger("memberportal.request").disabled = True
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
        hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        timed("load 100k members, ~2M ledger rows", lambda: load(db, tier_id, hashed))
        rows = db.session.scalar(text("SELECT count(*) FROM point_entries"))
        print(f"{'ledger rows':<44} {rows:>10,}")
        scan = timed(
            "yardstick: one full scan of the lots",
            lambda: db.session.scalar(text("SELECT sum(remaining) FROM point_entries")),
        )[1]
        expired, expire_s = timed("points expire", lambda: ledger.expire_due(utcnow()))
        print(f"{'  lots expired':<44} {expired:>10,}")
        again, _ = timed("points expire (second run)", lambda: ledger.expire_due(utcnow()))
        assert again == 0
        heavy = db.session.scalar(text("SELECT count(*) FROM point_entries WHERE member_id = 1"))
        print(f"{'rows of the page member':<44} {heavy:>10,}")
        db.session.remove()
    median = render_median(app)
    print(f"{'points page median render (5,000+ rows)':<44} {median * 1000:8.1f} ms")
    card = render_median(app, "/card", 'data-testid="member-card"')
    print(f"{'yardstick: member card median render':<44} {card * 1000:8.1f} ms")
    print(f"{'ratio points page / card page':<44} {median / card:8.2f}")
    print(f"{'ratio points expire / one lot scan':<44} {expire_s / scan:8.1f}")
    with app.app_context():
        bad, _ = timed("points verify", lambda: ledger_mismatches())
        print(f"{'  mismatches':<44} {len(bad):>10,}")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
