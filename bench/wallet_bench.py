"""Stored-value benchmark (not collected by pytest): what a counter payment from the wallet
costs next to a purchase at the till, measured in one run on the same database.

    .venv/bin/python bench/wallet_bench.py [DATABASE_URL]

Without an argument a temporary SQLite file is used. With a PostgreSQL URL the schema of that
database is dropped and rebuilt: use a throw-away one. Prints the median time of each use case
and the ratios (stored-value payment / purchase, refund / purchase), plus `wallet verify`.
The three are timed in turn, N times, so a busy machine slows them alike.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

N = 300


def main() -> None:
    instance = tempfile.mkdtemp(prefix="wallet-bench-")
    os.environ["INSTANCE_PATH"] = instance
    # The app's own configuration picks the driver and engine options from DATABASE_URL.
    os.environ["DATABASE_URL"] = (
        sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{instance}/bench.sqlite3"
    )

    from flask_migrate import upgrade
    from sqlalchemy import text

    from memberportal import create_app
    from memberportal.core.actors import SystemActor
    from memberportal.core.clock import utcnow
    from memberportal.extensions import db

    app = create_app({"PAYMENTS_MODE": "demo"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=app.extensions["migrate"].directory)
        run(db, SystemActor(audit_label="bench"), utcnow)


def timed_ms(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def run(db, actor, utcnow) -> None:
    from memberportal import demo
    from memberportal.members.models import Member
    from memberportal.purchases import services as purchases
    from memberportal.wallet import plans, queries, services

    demo.load()
    member_id = db.session.query(Member.id).order_by(Member.id).first()[0]
    plan = plans.save_plan(
        None, plans.PlanInput("充1000000", "bench", 100_000_000, 10_000_000), actor=actor,
        now=utcnow(),
    )  # fmt: skip
    topup = services.start_topup(plan.id, member_id, actor=actor, now=utcnow())
    services.credit_topup(topup.id, amount_cents=100_000_000, payment_intent="pi_bench",
                          session_id="cs_bench", actor=actor, now=utcnow())  # fmt: skip
    # Interleaved, so a busy machine slows the three alike and the ratios hold.
    buys, pays, backs = [], [], []
    for i in range(N):
        buys.append(timed_ms(lambda i=i: purchases.record_purchase(
            member_id, 1100, f"B-{i}", source="bench", actor=actor, now=utcnow())))  # fmt: skip
        found: list = []
        pays.append(timed_ms(lambda i=i, found=found: found.append(services.spend(
            member_id, 1100, source="bench", order_ref=f"S-{i}", actor=actor,
            now=utcnow()).id)))  # fmt: skip
        backs.append(timed_ms(lambda spend_id=found[0]: services.refund_spend(
            spend_id, 1100, refund_ref="r", actor=actor, now=utcnow())))  # fmt: skip
    buy, pay, back = (statistics.median(x) for x in (buys, pays, backs))
    started = time.perf_counter()
    assert queries.ledger_mismatches() == []
    verify = (time.perf_counter() - started) * 1000
    print(f"engine                         {db.engine.dialect.name}")
    print(f"purchase (till), median        {buy:8.2f} ms")
    print(f"stored-value payment, median   {pay:8.2f} ms   ratio to purchase {pay / buy:5.2f}")
    print(f"payment refund, median         {back:8.2f} ms   ratio to purchase {back / buy:5.2f}")
    print(f"wallet verify ({N * 2 + 1} entries)       {verify:8.2f} ms")


if __name__ == "__main__":
    main()
