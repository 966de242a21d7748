"""What one purchase reported through the API costs the database: statements and rows.

Reports, for POST /api/v1/purchases on the demo program, the SQL statements of the request
(per kind: SELECT, INSERT, UPDATE, ...), the round trips, and the rows each table gained;
with --echo, the statements themselves. This is where bench/same_rows_app.py takes its rows
from: when a purchase writes other rows, the reference must write them too.

    .venv/bin/python bench/purchase_statements.py [--purchases 20] [--echo]

DATABASE_URL picks the engine (default: SQLite in a temporary folder); the database is wiped.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import sys
import tempfile
from pathlib import Path

from sqlalchemy import event, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def sa_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--purchases", type=int, default=20)
    parser.add_argument("--echo", action="store_true", help="print the last purchase's SQL")
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="mp-statements-")
    os.environ["INSTANCE_PATH"] = instance
    url = sa_url(os.environ.get("DATABASE_URL") or f"sqlite:///{instance}/statements.sqlite3")

    from flask_migrate import upgrade

    from memberportal import create_app
    from memberportal import demo as demo_data
    from memberportal.api import services as api_services
    from memberportal.core.actors import SystemActor
    from memberportal.extensions import db
    from memberportal.members.models import Member

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "API_RATE_LIMIT": "1000000 per minute"})
    with app.app_context():
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=app.extensions["migrate"].directory)
        demo_data.load()
        _client, token = api_services.create_client("Statements", actor=SystemActor())
        numbers = db.session.scalars(select(Member.member_no).order_by(Member.id)).all()
        tables = [t for t in db.metadata.sorted_tables]
        engine = db.engine
        db.session.remove()

    def counts() -> dict[str, int]:
        with engine.connect() as conn:
            return {t.name: conn.scalar(select(func.count()).select_from(t)) for t in tables}

    statements: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    @event.listens_for(engine, "commit")
    def _committed(conn):
        statements.append("COMMIT")

    before = counts()
    statements.clear()
    # Requests outside any app context, as served: each gets its own (its own session and g).
    client = app.test_client()
    last: list[str] = []
    for i in range(args.purchases):
        start = len(statements)
        response = client.post(
            "/api/v1/purchases",
            json={
                "member": numbers[i % len(numbers)],
                "order_ref": f"stmt-{i}",
                "amount_cents": 12_345 + i,
            },
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201, response.get_json()
        last = statements[start:]
    taken = list(statements)
    event.remove(engine, "before_cursor_execute", _seen)
    event.remove(engine, "commit", _committed)
    after = counts()

    n = args.purchases
    kinds = collections.Counter(re.match(r"\s*(\w+)", s).group(1).upper() for s in taken)
    print(f"POST /api/v1/purchases x {n} on {engine.dialect.name}, demo program")
    print(f"  statements per purchase: {(len(taken) - kinds['COMMIT']) / n:.1f} "
          f"(round trips incl. commits: {len(taken) / n:.1f})")  # fmt: skip
    for kind, count in sorted(kinds.items()):
        print(f"    {kind:8} {count / n:5.1f}")
    print("  rows written per purchase:")
    written = {name: after[name] - before[name] for name in after if after[name] != before[name]}
    for name, added in sorted(written.items()):
        print(f"    {name:24} {added / n:5.2f}")
    print(f"    {'total':24} {sum(written.values()) / n:5.2f}")
    if args.echo:
        print("\n  SQL of the last purchase:")
        for statement in last:
            print("    " + " ".join(statement.split())[:200])
    return 0


if __name__ == "__main__":
    sys.exit(main())
