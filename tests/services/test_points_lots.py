"""A lot is the earn entry that opened it: one row per credit, its state held by CHECKs."""

from datetime import timedelta

import pytest
from sqlalchemy import exc, func, insert, select, update

from memberportal.extensions import db
from memberportal.points import ledger
from memberportal.points.models import Allocation, LedgerEntry
from memberportal.points.queries import earning_lot, history_for_member
from tests import factories
from tests.points_helpers import ACTOR, T0, assert_invariants, earn, spend

entries = LedgerEntry.__table__


def refused(statement) -> None:
    """The database itself refuses the statement (not the ledger's code)."""
    with pytest.raises(exc.IntegrityError):
        db.session.execute(statement)
    db.session.rollback()


def entry_row(member_id: int, entry_type: str, points: int, **fields) -> dict:
    return dict(
        member_id=member_id, entry_type=entry_type, kind="test", points=points, debt_points=0,
        expires_at=T0 + timedelta(days=30), actor_kind="system", actor_label="test", at=T0,
    ) | fields  # fmt: skip


def test_a_credit_writes_one_row_that_is_its_lot():
    m = factories.member()
    credited = ledger.credit(
        m.id, 70, kind="campaign", source_type="test", source_id=None,
        expires_at=T0 + timedelta(days=30), actor=ACTOR, now=T0,
    )  # fmt: skip
    rows = db.session.execute(
        select(LedgerEntry.id, LedgerEntry.remaining, LedgerEntry.expired_points).where(
            LedgerEntry.member_id == m.id
        )
    ).all()
    assert [tuple(r) for r in rows] == [(credited.entry_id, 70, 0)]
    assert credited.balance == 70
    assert assert_invariants(m.id)["open_lots"] == 70


def test_spends_draw_on_the_earn_entries_and_nothing_else_has_lot_state():
    m = factories.member()
    first = earn(m.id, 40, days=10)
    second = earn(m.id, 60, days=100)
    taken = spend(m.id, 50)
    ledger.expire_due(T0 + timedelta(days=200))
    db.session.expire_all()
    state = {
        e.id: (e.entry_type, e.remaining, e.expired_points, e.lot_id)
        for e in db.session.scalars(select(LedgerEntry).where(LedgerEntry.member_id == m.id))
    }
    expiry = max(state)
    assert state == {
        first.id: ("earn", 0, 0, None),
        second.id: ("earn", 0, 50, None),
        taken.id: ("spend", None, None, None),
        expiry: ("expire", None, None, second.id),
    }
    drawn = db.session.execute(select(Allocation.lot_id, Allocation.points)).all()
    assert sorted(tuple(r) for r in drawn) == [(first.id, 40), (second.id, 10)]
    assert_invariants(m.id)


def test_an_earning_that_only_repays_a_debt_is_a_lot_of_nothing_never_drawn():
    m = factories.member()
    earn(m.id, 30)
    spend(m.id, 30)
    ledger.claw_back(
        m.id, 30, kind="refund", source_type="refund", source_id=None, actor=ACTOR, now=T0
    )
    repaid = ledger.earn(
        m.id, 30, kind="purchase", source_type="purchase", source_id=4242,
        expires_at=T0 + timedelta(days=5), actor=ACTOR, now=T0,
    )  # fmt: skip
    db.session.expire_all()
    assert (repaid.debt_points, repaid.lot_amount, repaid.remaining) == (-30, 0, 0)
    assert earning_lot("purchase", 4242) is None  # a refund has no lot of its own to take from
    assert ledger.expire_due(T0 + timedelta(days=6)) == 0
    earn(m.id, 10)
    spend(m.id, 10)
    assert assert_invariants(m.id)["balance"] == 0
    row = next(r for r in history_for_member(m.id) if r.entry.id == repaid.id)
    assert row.lot is None and row.links == []


def test_the_database_refuses_lot_state_on_an_entry_that_is_not_an_earning():
    m = factories.member()
    earn(m.id, 10)
    refused(insert(entries).values(entry_row(m.id, "spend", -5, remaining=0)))
    refused(insert(entries).values(entry_row(m.id, "give_back", 5, expired_points=0)))
    refused(insert(entries).values(entry_row(m.id, "expire", -5, expired_batch="b")))


def test_the_database_refuses_an_earning_without_its_lot_state():
    m = factories.member()
    refused(insert(entries).values(entry_row(m.id, "earn", 5)))
    refused(insert(entries).values(entry_row(m.id, "earn", 5, remaining=5)))
    refused(
        insert(entries).values(
            entry_row(m.id, "earn", 5, remaining=5, expired_points=0, expires_at=None)
        )
    )


def test_the_database_refuses_remaining_outside_the_lot_amount():
    m = factories.member()
    lot = earn(m.id, 50)
    # The lot's amount is points + debt_points: 50 points that repaid 20 open a lot of 30.
    refused(
        insert(entries).values(
            entry_row(m.id, "earn", 50, debt_points=-20, remaining=31, expired_points=0)
        )
    )
    refused(update(entries).where(entries.c.id == lot.id).values(remaining=51))
    refused(update(entries).where(entries.c.id == lot.id).values(remaining=-1))
    refused(update(entries).where(entries.c.id == lot.id).values(expired_points=51))
    assert db.session.scalar(select(LedgerEntry.remaining).where(LedgerEntry.id == lot.id)) == 50


def test_only_an_expiry_names_a_lot_and_the_lot_must_exist():
    m = factories.member()
    lot = earn(m.id, 50)
    taken = spend(m.id, 10)
    refused(update(entries).where(entries.c.id == taken.id).values(lot_id=lot.id))
    refused(
        insert(entries).values(
            entry_row(m.id, "expire", -5, lot_id=lot.id + 1000, expires_at=lot.expires_at)
        )
    )
    refused(insert(Allocation.__table__).values(entry_id=taken.id, lot_id=lot.id + 1000, points=1))
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 2


def test_the_earlier_rules_still_hold_on_the_entries():
    m = factories.member()
    refused(insert(entries).values(entry_row(m.id, "earn", -5, remaining=0, expired_points=0)))
    refused(insert(entries).values(entry_row(m.id, "spend", 5)))
