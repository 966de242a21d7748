"""The rotating card code at the counter (not collected by pytest).

Loads 10,000 members, then reports in one run the median time of the till's lookup
(members.queries.lookup_member) by the card's current rotating code, by a typed member number
and by a phone, and the code's share: code lookup / member-number lookup. Also the median
time of drawing the card's code (card_code_for plus its QR as a data URI), which the card
page does every 30 seconds per open card.

    .venv/bin/python bench/card_code_bench.py [DATABASE_URL]

Without an argument a throw-away SQLite file is used; a PostgreSQL database given is emptied.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime

MEMBERS, ROUNDS = 10_000, 2_000


def median_ms(fn, rounds: int = ROUNDS) -> float:
    times = []
    for i in range(rounds):
        started = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    folder = tempfile.mkdtemp(prefix="card_code_bench_")
    os.environ["INSTANCE_PATH"] = folder
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url  # the app's own config picks the driver and options

    from flask_migrate import upgrade
    from sqlalchemy import text

    from memberportal import create_app
    from memberportal.core import qr
    from memberportal.demo import TIERS, reference_tier
    from memberportal.extensions import db
    from memberportal.members.models import Member
    from memberportal.members.queries import card_code_for, lookup_member

    app = create_app({"SECRET_KEY": "bench"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=app.extensions["migrate"].directory)
        db.session.add_all(reference_tier(row) for row in TIERS)
        db.session.flush()
        tier_id = db.session.scalar(text("SELECT id FROM tiers ORDER BY rank LIMIT 1"))
        now = datetime.now(UTC)
        db.session.execute(
            Member.__table__.insert(),
            [
                {"member_no": str(1_000_000_000 + i), "card_code": f"MPBENCH{i:08d}",
                 "name": f"Bench {i}", "phone": f"+86139{i:08d}", "password_hash": "x",
                 "tier_id": tier_id, "joined_at": now, "points_balance": 0, "growth": 0}
                for i in range(MEMBERS)
            ],
        )  # fmt: skip
        db.session.commit()
        members = db.session.scalars(db.select(Member).limit(200)).all()
        codes = [card_code_for(m, now).code for m in members]

        def by_code(i):
            assert lookup_member(codes[i % len(codes)], now).via == "code"

        def by_number(i):
            assert lookup_member(members[i % len(members)].member_no, now).via == "member_no"

        def by_phone(i):
            assert lookup_member(members[i % len(members)].phone[3:], now).via == "phone"

        def draw(i):
            qr.svg_data_uri(card_code_for(members[i % len(members)], now).code)

        code_ms, number_ms = median_ms(by_code), median_ms(by_number)
        phone_ms, draw_ms = median_ms(by_phone), median_ms(draw, rounds=500)
    print(f"engine: {url.split(':', 1)[0]}, {MEMBERS} members, median of {ROUNDS} lookups")
    print(f"lookup by rotating code      {code_ms:7.3f} ms")
    print(f"lookup by typed member no.   {number_ms:7.3f} ms")
    print(f"lookup by phone              {phone_ms:7.3f} ms")
    print(f"draw the card's code (QR)    {draw_ms:7.3f} ms")
    print(f"ratio code / member number   {code_ms / number_ms:7.2f}")


if __name__ == "__main__":
    main()
