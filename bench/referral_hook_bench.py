"""Benchmark: what the invite-reward hook costs every purchase (not collected by pytest).

record_purchase calls referrals.services.release_on_purchase on every purchase: one indexed
conditional UPDATE that finds nothing for a member nobody referred, and pays the referrer on
a referred friend's first purchase. In one run and on one database this times, interleaved in
rounds so both see the same machine load:

  plain    purchases by members nobody referred (the hook finds nothing)
  no-hook  purchases by other such members with the hook replaced by a no-op (the floor)
  release  first purchases of referred friends (the hook pays the referrer)

and prints the medians per purchase and the ratios plain/no-hook and release/no-hook.

    .venv/bin/python bench/referral_hook_bench.py [postgresql://postgres@127.0.0.1:5432/mp_hook_bench]

Without an address it uses a throw-away SQLite file. A PostgreSQL database is created if
missing and its schema is dropped and rebuilt: use a throw-away one.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time

from sqlalchemy import create_engine, text

ROUNDS, PER_ROUND = 20, 25


def sa_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def ensure_database(url: str) -> None:
    base, name = sa_url(url).rsplit("/", 1)
    engine = create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def main() -> None:
    os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="hook-bench-")
    if len(sys.argv) > 1:
        ensure_database(sys.argv[1])
        os.environ["DATABASE_URL"] = sys.argv[1]
        uri = sa_url(sys.argv[1])
    else:
        uri = "sqlite:///" + os.path.join(os.environ["INSTANCE_PATH"], "bench.sqlite3")
    from flask_migrate import upgrade

    from memberportal import create_app
    from memberportal.core.actors import SystemActor
    from memberportal.core.clock import utcnow
    from memberportal.demo import TIERS
    from memberportal.extensions import db
    from memberportal.members import services as members
    from memberportal.members.rules import CONSENT_VERSION
    from memberportal.points.queries import ledger_mismatches
    from memberportal.purchases import services as purchases
    from memberportal.referrals import services as referrals
    from memberportal.tiers.models import Tier

    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "HTMX_SOURCE": "local"})
    logging.getLogger("memberportal.request").disabled = True
    actor = SystemActor(audit_label="bench")
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=app.extensions["migrate"].directory)
        for code, rank, zh, en, threshold, mult, bps, _bz, _be in TIERS:
            db.session.add(Tier(code=code, rank=rank, name_zh=zh, name_en=en,
                                growth_threshold=threshold, points_multiplier_pct=mult,
                                paid_discount_bps=bps))  # fmt: skip
        db.session.commit()

        count = ROUNDS * PER_ROUND
        referrer = members.register("Bench", "13000000000", "bench-password-1",
                                    consent_version=CONSENT_VERSION)  # fmt: skip
        strangers, others, friends = [], [], []
        for n in range(count):
            strangers.append(members.register(
                "S", f"1310000{n:04d}", "bench-password-1", consent_version=CONSENT_VERSION
            ).id)  # fmt: skip
            others.append(members.register(
                "O", f"1330000{n:04d}", "bench-password-1", consent_version=CONSENT_VERSION
            ).id)  # fmt: skip
            friends.append(members.register(
                "F", f"1320000{n:04d}", "bench-password-1", consent_version=CONSENT_VERSION,
                referred_by=referrer.member_no,
            ).id)  # fmt: skip
        real_hook = referrals.release_on_purchase
        times: dict[str, list[float]] = {"plain": [], "no-hook": [], "release": []}
        refs = iter(range(10**9))

        def buy(member_id: int) -> float:
            started = time.perf_counter()
            purchases.record_purchase(member_id, 5000, f"B-{next(refs)}", source="till",
                                      actor=actor, now=utcnow())  # fmt: skip
            return time.perf_counter() - started

        def without_hook(batch):
            referrals.release_on_purchase = lambda *a, **k: None
            try:
                times["no-hook"].extend(buy(member_id) for member_id in others[batch])
            finally:
                referrals.release_on_purchase = real_hook

        # Every timed purchase is a member's first; the order of the kinds turns each round.
        for r in range(ROUNDS):
            batch = slice(r * PER_ROUND, (r + 1) * PER_ROUND)
            kinds = ["plain", "no-hook", "release"]
            for kind in kinds[r % 3 :] + kinds[: r % 3]:
                if kind == "no-hook":
                    without_hook(batch)
                else:
                    group = strangers if kind == "plain" else friends
                    times[kind].extend(buy(m) for m in group[batch])

        paid = db.session.scalar(text("SELECT count(*) FROM referrals WHERE status <> 'held'"))
        assert paid == count and ledger_mismatches() == [], (paid, ledger_mismatches())
        med = {k: statistics.median(v) * 1000 for k, v in times.items()}
        print(f"engine {db.engine.dialect.name}, {count} purchases per kind")
        for k, v in med.items():
            print(f"  {k:<8} median {v:6.2f} ms per purchase")
        print(f"  plain / no-hook   {med['plain'] / med['no-hook']:.3f}")
        print(f"  release / no-hook {med['release'] / med['no-hook']:.3f}")


if __name__ == "__main__":
    main()
