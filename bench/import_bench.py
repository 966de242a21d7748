"""Member import benchmark on PostgreSQL (not collected by pytest).

Imports a CSV of 10,000 members (name, phone, starting growth, starting points) through the
same use cases the pages call: the upload with its preview, then the run in steps of the
page's size, and reports rows per second for each, with a yardstick measured in the same run:
one multi-row INSERT of 10,000 bare member rows (the least any import must write).

    .venv/bin/python bench/import_bench.py [postgresql://postgres@127.0.0.1:5432/mp_import_bench]

The database is created if missing and its schema is dropped and rebuilt: use a throw-away one.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time

from sqlalchemy import text

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from points_bench import ensure_database, sa_url  # noqa: E402

URL = sys.argv[1] if len(sys.argv) > 1 else "postgresql://postgres@127.0.0.1:5432/mp_import_bench"
ROWS = 10_000


def csv_file() -> bytes:
    lines = ["name,contact,growth,points"]
    lines += [f"Member {n},1370{n:07d},{(n * 37) % 1500},{(n * 13) % 900}" for n in range(ROWS)]
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    ensure_database(URL)
    os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="import-bench-")
    os.environ["DATABASE_URL"] = URL
    from flask_migrate import upgrade

    from memberportal import create_app
    from memberportal.accounts.models import StaffUser
    from memberportal.bulk import services as bulk
    from memberportal.core.clock import utcnow
    from memberportal.demo import TIERS, reference_tier
    from memberportal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": sa_url(URL), "HTMX_SOURCE": "local"})
    logging.getLogger("memberportal.request").disabled = True
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=app.extensions["migrate"].directory)
        db.session.add_all(reference_tier(row) for row in TIERS)
        owner = StaffUser(email="bench@example.com", name="bench", role="owner",
                          password_hash="!")  # fmt: skip
        db.session.add(owner)
        db.session.commit()
        data = csv_file()

        started = time.perf_counter()
        upload = bulk.upload_members("bench.csv", data, actor=owner, now=utcnow())
        preview_s = time.perf_counter() - started
        bulk.confirm(upload.id, actor=owner, now=utcnow())
        started, steps = time.perf_counter(), 0
        while bulk.run_step(upload.id, now=utcnow()).status == "running":
            steps += 1
        run_s = time.perf_counter() - started
        made = db.session.scalar(text("SELECT count(*) FROM members"))
        entries = db.session.scalar(text("SELECT count(*) FROM point_entries"))
        assert made == ROWS, made

        # Yardstick 1: the single staff adjustment the import's points go through, on 300 of
        # the imported members (each its own transaction, like one POST of the adjust form).
        from memberportal.points import services as points

        ids = db.session.scalars(text("SELECT id FROM members ORDER BY id LIMIT 300")).all()
        started = time.perf_counter()
        for member_id in ids:
            points.adjust_points(member_id, 5, reason="yardstick", actor=owner, now=utcnow())
        adjust_s = (time.perf_counter() - started) / len(ids)

        # Yardstick 2: one multi-row INSERT of bare member rows, the least an import writes.
        tier_id = db.session.scalar(text("SELECT id FROM tiers WHERE rank = 1"))
        started = time.perf_counter()
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO members (member_no, card_code, name, phone, password_hash, tier_id,"
                " points_balance, points_debt, growth, growth_spend, growth_interaction,"
                " joined_at, is_active_member) SELECT (2000000000 + g)::text, 'MPY' || g,"
                " 'Yardstick ' || g, '+86136' || lpad(g::text, 8, '0'), '!', :tier, 0, 0, 0, 0,"
                " 0, now(), true FROM generate_series(1, :rows) g"
            ), {"tier": tier_id, "rows": ROWS})  # fmt: skip
        floor_s = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()

    print(f"{'rows imported':<40} {made:>10,}  ({entries:,} ledger entries, {steps + 1} steps)")
    print(f"{'upload + preview':<40} {preview_s:8.2f} s  {ROWS / preview_s:10,.0f} rows/s")
    print(f"{'run (member, growth, points)':<40} {run_s:8.2f} s  {ROWS / run_s:10,.0f} rows/s")
    print(f"{'whole import':<40} {preview_s + run_s:8.2f} s  "
          f"{ROWS / (preview_s + run_s):10,.0f} rows/s")  # fmt: skip
    print(f"{'yardstick: one staff adjustment':<40} {adjust_s * 1000:8.1f} ms")
    print(f"{'ratio import per row / one adjustment':<40} {run_s / ROWS / adjust_s:8.2f}")
    print(f"{'yardstick: one INSERT of 10,000 members':<40} {floor_s:8.2f} s")
    print(f"{'ratio whole import / that INSERT':<40} {(preview_s + run_s) / floor_s:8.1f}")


if __name__ == "__main__":
    main()
