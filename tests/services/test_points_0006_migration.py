"""points_0006 moves each lot onto its earn entry: a database holding the old rows (earnings
with and without a debt repaid, spends with allocations, expiries, a give-back, a clawback)
upgrades to the new shape with the same balances and the same explanations, downgrades back,
and upgrades again. On its own database: a file on SQLite, a schema on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import Column, Integer, MetaData, String, Table, inspect, select, text, update

from memberportal.core.db import BigID, UTCDateTime
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points import ledger
from memberportal.points.queries import earning_lot, history_for_member, upcoming_expiries
from tests import factories
from tests.migration_helpers import app_at
from tests.points_helpers import ACTOR

BEFORE, AFTER = "purchases_0004", "points_0006"
SCHEMA = "points_0006_old_rows"
T0 = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=20)  # the lot expiring on day 10 has expired; the others are open


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


# The three point tables as points_0005 left them (types as the app reads and writes them).
old = MetaData()
old_lots = Table(
    "point_lots", old, Column("id", BigID, primary_key=True), Column("member_id", BigID),
    Column("amount", Integer), Column("remaining", Integer), Column("earned_at", UTCDateTime()),
    Column("expires_at", UTCDateTime()), Column("expired_batch", String(32)),
    Column("expired_points", Integer),
)  # fmt: skip
old_entries = Table(
    "point_entries", old, Column("id", BigID, primary_key=True), Column("member_id", BigID),
    Column("entry_type", String(16)), Column("kind", String(32)), Column("points", Integer),
    Column("debt_points", Integer), Column("lot_id", BigID), Column("source_type", String(32)),
    Column("source_id", BigID), Column("reverses_entry_id", BigID),
    Column("expires_at", UTCDateTime()), Column("actor_kind", String(16)),
    Column("actor_label", String(200)), Column("at", UTCDateTime()),
)  # fmt: skip
old_allocations = Table(
    "point_allocations", old, Column("id", BigID, primary_key=True), Column("entry_id", BigID),
    Column("lot_id", BigID), Column("points", Integer),
)  # fmt: skip


@pytest.fixture
def old_app(make_app, tmp_path):
    """An app on a database of its own, migrated up to just before points_0006."""
    with app_at(make_app, tmp_path, schema=SCHEMA, revision=BEFORE) as app:
        yield app


def write_old_rows() -> tuple[int, int]:
    """Two members' ledgers as the old code wrote them: a lot row and an earn entry naming it
    per credit. Lot ids and entry ids interleave, so that a spend's new lot id (its earn
    entry's id) is the old id of another lot it drew from."""
    factories.reference_tiers()
    a, b = factories.member().id, factories.member().id
    lots = [  # id, member, amount, remaining, earned, expires, batch, expired
        (1, b, 100, 0, day(0), day(10), "run-1", 70),
        (2, a, 80, 0, day(0), day(365), None, 0),
        (3, b, 50, 50, day(1), day(300), None, 0),
        (4, a, 30, 20, day(6), day(500), None, 0),
    ]
    entries = [  # id, member, type, kind, points, debt, lot, source, reverses, expires, at
        (1, a, "earn", "purchase", 80, 0, 2, ("purchase", 1), None, day(365), day(0)),
        (2, a, "spend", "redemption", -60, 0, None, ("mall_order", 1), None, None, day(0)),
        (3, b, "earn", "campaign", 100, 0, 1, ("test", None), None, day(10), day(0)),
        (4, a, "clawback", "refund", -80, 60, None, ("refund", 1), None, None, day(1)),
        (5, b, "earn", "campaign", 50, 0, 3, ("test", None), None, day(300), day(1)),
        (6, b, "spend", "redemption", -120, 0, None, ("mall_order", 2), None, None, day(2)),
        (7, b, "give_back", "redemption", 120, 0, None, ("mall_order", 2), 6, None, day(3)),
        (8, b, "spend", "redemption", -30, 0, None, ("mall_order", 3), None, None, day(4)),
        (9, b, "expire", "expire", -70, 0, 1, ("lot", 1), None, day(10), day(11)),
        # All 40 repaid the debt: no lot.
        (10, a, "earn", "purchase", 40, -40, None, ("purchase", 2), None, day(400), day(5)),
        (11, a, "earn", "purchase", 50, -20, 4, ("purchase", 3), None, day(500), day(6)),
        (12, a, "spend", "redemption", -10, 0, None, ("mall_order", 4), None, None, day(7)),
    ]
    allocations = [(2, 2, 60), (4, 2, 20), (6, 1, 100), (6, 3, 20), (7, 1, 100), (7, 3, 20),
                   (8, 1, 30), (12, 4, 10)]  # fmt: skip
    db.session.execute(
        old_lots.insert(),
        [dict(zip(("id", "member_id", "amount", "remaining", "earned_at", "expires_at",
                   "expired_batch", "expired_points"), lot, strict=True)) for lot in lots],
    )  # fmt: skip
    db.session.execute(
        old_entries.insert(),
        [dict(id=i, member_id=m, entry_type=t, kind=k, points=p, debt_points=d, lot_id=lot,
              source_type=src[0], source_id=src[1], reverses_entry_id=rev, expires_at=exp,
              actor_kind="system", actor_label="test", at=at)
         for i, m, t, k, p, d, lot, src, rev, exp, at in entries],
    )  # fmt: skip
    db.session.execute(
        old_allocations.insert(),
        [dict(id=n, entry_id=e, lot_id=lot, points=p)
         for n, (e, lot, p) in enumerate(allocations, 1)],
    )  # fmt: skip
    for member_id, balance, debt in ((a, 20, 0), (b, 50, 0)):
        db.session.execute(
            update(Member)
            .where(Member.id == member_id)
            .values(points_balance=balance, points_debt=debt)
        )
    if db.engine.dialect.name == "postgresql":  # the ids above were given, not drawn
        for table in ("point_lots", "point_entries", "point_allocations"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 100)"))
    db.session.commit()
    return a, b


def old_story(member_id: int) -> dict:
    """What the history explains about each entry, read from the old tables: an earning's
    lot (expiry, still open, earned) and what used it; the lots a spend drew from; the
    earning an expiry closed. Lots are named by what the page shows, not by their ids."""
    lots = {r.id: r for r in db.session.execute(select(old_lots))}
    rows = db.session.execute(select(old_entries).where(old_entries.c.member_id == member_id)).all()
    allocations = db.session.execute(select(old_allocations)).all()
    story = {}
    for e in rows:
        if e.entry_type == "earn":
            lot = lots.get(e.lot_id)
            used = [(a.entry_id, a.points) for a in allocations if a.lot_id == e.lot_id]
            expiries = [x for x in rows if x.entry_type == "expire" and x.lot_id == e.lot_id]
            used += [(x.id, -x.points) for x in expiries]
            story[e.id] = (
                e.entry_type, e.points, e.debt_points,
                (lot.expires_at, lot.remaining, lot.earned_at) if lot else None,
                sorted(used) if lot else [],
            )  # fmt: skip
        elif e.entry_type == "expire":
            story[e.id] = (e.entry_type, e.points, lots[e.lot_id].earned_at)
        else:
            drew = sorted(
                (lots[a.lot_id].expires_at, a.lot_id, lots[a.lot_id].earned_at, a.points)
                for a in allocations
                if a.entry_id == e.id
            )
            story[e.id] = (e.entry_type, e.points, e.debt_points, [d[2:] for d in drew])
    return story


def old_expiries(member_id: int) -> list:
    return [
        (at, int(n))
        for at, n in db.session.execute(
            select(old_lots.c.expires_at, db.func.sum(old_lots.c.remaining))
            .where(old_lots.c.member_id == member_id, old_lots.c.remaining > 0)
            .group_by(old_lots.c.expires_at)
            .order_by(old_lots.c.expires_at)
        )
        if at > NOW
    ]


def new_story(member_id: int) -> dict:
    """The same, as the member's history page reads it now."""
    db.session.expire_all()
    story = {}
    for row in history_for_member(member_id, limit=100):
        e = row.entry
        if e.entry_type == "earn":
            lot = (row.lot.expires_at, row.lot.remaining, row.lot.at) if row.lot else None
            links = [(x.id, n) for x, n in row.links]
            story[e.id] = (e.entry_type, e.points, e.debt_points, lot, links)
        elif e.entry_type == "expire":
            story[e.id] = (e.entry_type, e.points, row.lot.at)
        else:
            drew = [(lot.at, n) for lot, n in row.links]
            story[e.id] = (e.entry_type, e.points, e.debt_points, drew)
    return story


def balances(*member_ids: int) -> list[tuple[int, int]]:
    db.session.expire_all()
    return [
        (m.points_balance, m.points_debt)
        for m in (db.session.get(Member, member_id) for member_id in member_ids)
    ]


def verify(app) -> None:
    result = app.test_cli_runner().invoke(args=["points", "verify"])
    assert result.exit_code == 0, result.output


def assert_new_shape(app) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db.session.remove()
    with db.engine.connect() as conn:
        assert "point_lots" not in inspect(conn).get_table_names()
        assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []


def migrate(step, app, revision: str) -> None:
    db.session.remove()  # no transaction of the test's may hold the tables being altered
    step(directory=app.extensions["migrate"].directory, revision=revision)


def test_the_old_rows_move_onto_their_earn_entries_and_explain_the_same(old_app):
    with old_app.app_context():
        a, b = write_old_rows()
        before = {m: (old_story(m), old_expiries(m)) for m in (a, b)}
        assert balances(a, b) == [(20, 0), (50, 0)]

        migrate(upgrade, old_app, AFTER)
        assert_new_shape(old_app)
        verify(old_app)
        assert balances(a, b) == [(20, 0), (50, 0)]
        assert {m: (new_story(m), upcoming_expiries(m, NOW)) for m in (a, b)} == before
        # Allocations and the expiry name the earn entries; earnings name no lot.
        drawn = db.session.execute(
            text("SELECT entry_id, lot_id, points FROM point_allocations ORDER BY id")
        ).all()
        assert [tuple(r) for r in drawn] == [
            (2, 1, 60), (4, 1, 20), (6, 3, 100), (6, 5, 20), (7, 3, 100), (7, 5, 20),
            (8, 3, 30), (12, 11, 10),
        ]  # fmt: skip
        expiry = db.session.execute(
            text("SELECT lot_id, source_type, source_id FROM point_entries WHERE id = 9")
        ).one()
        assert tuple(expiry) == (3, "lot", 3)
        lot_state = db.session.execute(
            text(
                "SELECT id, remaining, expired_batch, expired_points FROM point_entries"
                " WHERE entry_type = 'earn' ORDER BY id"
            )
        ).all()
        assert [tuple(r) for r in lot_state] == [
            (1, 0, None, 0), (3, 0, "run-1", 70), (5, 50, None, 0), (10, 0, None, 0),
            (11, 20, None, 0),
        ]  # fmt: skip

        migrate(downgrade, old_app, BEFORE)
        assert {m: (old_story(m), old_expiries(m)) for m in (a, b)} == before
        assert balances(a, b) == [(20, 0), (50, 0)]
        migrate(upgrade, old_app, AFTER)
        assert_new_shape(old_app)
        assert {m: (new_story(m), upcoming_expiries(m, NOW)) for m in (a, b)} == before

        # The ledger carries on from the moved rows.
        assert earning_lot("purchase", 1) == 1 and earning_lot("purchase", 2) is None
        assert ledger.give_back(8, actor=ACTOR, now=NOW, reason="cancelled").points == 30
        ledger.spend(
            b, 50, kind="redemption", source_type="test", source_id=None, actor=ACTOR, now=NOW
        )
        ledger.earn(
            a, 5, kind="campaign", source_type="test", source_id=None, expires_at=day(40),
            actor=ACTOR, now=NOW,
        )  # fmt: skip
        verify(old_app)
        assert balances(a, b) == [(25, 0), (0, 0)]
        history = new_story(b)
        assert history[max(history)][:2] == ("spend", -50)
        assert ("expire", -30, day(0)) in history.values()  # given back to an expired lot


def test_a_lot_its_earning_does_not_account_for_stops_the_upgrade_before_any_change(old_app, capfd):
    with old_app.app_context():
        write_old_rows()
        db.session.execute(update(old_lots).where(old_lots.c.id == 4).values(amount=31))
        db.session.commit()
        with pytest.raises(SystemExit):
            migrate(upgrade, old_app, AFTER)
        said = capfd.readouterr().err
        assert "lots whose amount is not their earn entry's points + debt_points: [4]" in said
        with db.engine.connect() as conn:
            assert "remaining" not in {
                c["name"] for c in inspect(conn).get_columns("point_entries")
            }
            assert conn.execute(select(old_lots.c.amount).where(old_lots.c.id == 4)).scalar() == 31
