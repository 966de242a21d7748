"""purchases_0004: a purchase's spend growth is kept on the purchase alone. A database holding
the old rows (a purchase's growth copied into a growth entry, a refund's entry, an interaction's)
upgrades with the same growth counted by the qualification recount, downgrades back with the
copies written again. On its own database: a file on SQLite, a schema on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text

from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.tiers.services import reevaluate
from tests import factories
from tests.migration_helpers import app_at
from tests.points_helpers import ACTOR

BEFORE, AFTER = "notifications_0003", "purchases_0004"
SCHEMA = "purchases_0004_old_rows"
T0 = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)


@pytest.fixture
def old_app(make_app, tmp_path):
    """An app on a database of its own, migrated up to just before purchases_0004."""
    with app_at(make_app, tmp_path, schema=SCHEMA, revision=BEFORE) as app:
        yield app


PURCHASE = text(
    "INSERT INTO purchases (id, member_id, source, order_ref, amount_cents, refunded_cents,"
    " rate_pct, multiplier_pct, points_earned, points_refunded, growth_earned, growth_refunded,"
    " actor_label, at) VALUES (:id, :member, 'till', :ref, :cents, :refunded, 100, 100,"
    " :growth, 0, :growth, :growth_refunded, 'test', :at)"
)
GROWTH = text(
    "INSERT INTO growth_entries (member_id, kind, cause, amount, source_type, source_id, at)"
    " VALUES (:member, :kind, :cause, :amount, :source_type, :source_id, :at)"
)


def growth_entries() -> list[tuple]:
    return sorted(
        tuple(row)
        for row in db.session.execute(
            text("SELECT cause, amount, source_type, source_id FROM growth_entries")
        )
    )


def spend_after_recount(member_id: int) -> tuple[int, int]:
    reevaluate(T0 + timedelta(days=30), actor=ACTOR)
    db.session.expire_all()
    member = db.session.get(Member, member_id)
    return member.growth_spend, member.growth_interaction


def test_purchase_growth_entries_go_and_the_recount_counts_the_same(old_app):
    with old_app.app_context():
        factories.reference_tiers()
        member_id = factories.member().id
        old_sale = T0 - timedelta(days=400)  # outside the qualification period: not counted
        for purchase_id, cents, refunded, at in ((1, 20000, 5000, T0), (2, 9000, 0, old_sale)):
            growth = cents // 100
            db.session.execute(PURCHASE, dict(
                id=purchase_id, member=member_id, ref=f"OLD-{purchase_id}", cents=cents,
                refunded=refunded, growth=growth, growth_refunded=refunded // 100, at=at,
            ))  # fmt: skip
            db.session.execute(GROWTH, dict(
                member=member_id, kind="spend", cause="purchase", amount=growth,
                source_type="purchase", source_id=purchase_id, at=at,
            ))  # fmt: skip
        db.session.execute(GROWTH, dict(
            member=member_id, kind="spend", cause="refund", amount=-50, source_type="refund",
            source_id=1, at=T0 + timedelta(days=1),
        ))  # fmt: skip
        db.session.execute(GROWTH, dict(
            member=member_id, kind="interaction", cause="sign_in", amount=5,
            source_type="sign_in", source_id=None, at=T0,
        ))  # fmt: skip
        db.session.commit()
        before = growth_entries()
        assert len(before) == 4
        db.session.commit()  # no transaction of ours holds a table the migration alters

        upgrade(directory=old_app.extensions["migrate"].directory, revision=AFTER)
        assert growth_entries() == [
            ("refund", -50, "refund", 1), ("sign_in", 5, "sign_in", None),
        ]  # fmt: skip
        # 200 bought in the period, 50 of it refunded; the older purchase is out of it.
        assert spend_after_recount(member_id) == (150, 5)
        purchases = db.session.execute(
            text("SELECT request_key, balance_after, tier_after FROM purchases")
        ).all()
        assert purchases == [(None, None, None)] * 2  # answered before: nothing kept here
        db.session.commit()

        downgrade(directory=old_app.extensions["migrate"].directory, revision=BEFORE)
        assert growth_entries() == before
        count = db.session.scalar(select(func.count()).select_from(text("growth_entries")))
        assert count == 4
