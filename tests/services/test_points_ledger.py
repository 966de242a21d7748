"""The ledger contract on the real database: earn, spend, give back, claw back, expire."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from memberportal.core.errors import ValidationFailed
from memberportal.extensions import db
from memberportal.points import ledger
from memberportal.points.errors import InsufficientPoints, NotASpend, UnknownMember
from memberportal.points.models import Allocation, LedgerEntry
from tests import factories
from tests.points_helpers import ACTOR, T0, assert_invariants, earn, spend


def test_spend_draws_the_lot_expiring_first_then_the_oldest():
    m = factories.member()
    late = earn(m.id, 100, days=300)
    soon = earn(m.id, 50, days=30)
    same = earn(m.id, 30, days=300)
    entry = spend(m.id, 120)
    drawn = dict(
        db.session.execute(
            select(Allocation.lot_id, Allocation.points).where(Allocation.entry_id == entry.id)
        ).all()
    )
    assert drawn == {soon.id: 50, late.id: 70}
    assert same.id not in drawn
    assert assert_invariants(m.id)["balance"] == 60


def test_spend_refuses_more_than_the_balance_and_changes_nothing():
    m = factories.member()
    earn(m.id, 10)
    with pytest.raises(InsufficientPoints):
        spend(m.id, 11)
    assert assert_invariants(m.id)["balance"] == 10
    assert db.session.scalar(select(db.func.count()).select_from(LedgerEntry)) == 1


def test_unknown_member_and_bad_points():
    with pytest.raises(UnknownMember):
        spend(999_999, 1)
    with pytest.raises(UnknownMember):
        earn(999_999, 1)
    m = factories.member()
    with pytest.raises(ValidationFailed):
        earn(m.id, 0)


def test_expire_is_set_based_and_safe_twice():
    m, other = factories.member(), factories.member()
    earn(m.id, 40, days=10)
    earn(m.id, 60, days=100)
    earn(other.id, 5, days=10)
    spend(m.id, 15)  # from the 40 lot
    assert ledger.expire_due(T0 + timedelta(days=11)) == 2
    assert ledger.expire_due(T0 + timedelta(days=11)) == 0
    assert assert_invariants(m.id)["balance"] == 60
    assert assert_invariants(other.id)["balance"] == 0
    expired = db.session.scalars(
        select(LedgerEntry.points).where(
            LedgerEntry.member_id == m.id, LedgerEntry.entry_type == "expire"
        )
    ).all()
    assert expired == [-25]


def test_spend_expires_due_lots_first():
    m = factories.member()
    earn(m.id, 40, days=10)
    with pytest.raises(InsufficientPoints):
        spend(m.id, 10, now=T0 + timedelta(days=11))
    assert assert_invariants(m.id)["balance"] == 40  # the rollback undid the expiry too


def test_give_back_returns_to_the_same_lots_once():
    m = factories.member()
    a = earn(m.id, 30, days=10)
    b = earn(m.id, 50, days=100)
    entry = spend(m.id, 60)
    back = ledger.give_back(entry.id, actor=ACTOR, now=T0, reason="cancelled")
    assert back.points == 60
    assert ledger.give_back(entry.id, actor=ACTOR, now=T0, reason="again") is None
    lots = dict(
        db.session.execute(
            select(LedgerEntry.id, LedgerEntry.remaining).where(LedgerEntry.entry_type == "earn")
        ).all()
    )
    assert lots == {a.id: 30, b.id: 50}
    assert assert_invariants(m.id)["balance"] == 80
    with pytest.raises(NotASpend):
        ledger.give_back(back.id, actor=ACTOR, now=T0, reason="x")


def test_give_back_after_a_lot_expired_expires_those_points_at_once():
    m = factories.member()
    earn(m.id, 30, days=10)
    earn(m.id, 50, days=100)
    entry = spend(m.id, 60)  # 30 from the short lot, 30 from the long one
    later = T0 + timedelta(days=20)
    ledger.expire_due(later)
    ledger.give_back(entry.id, actor=ACTOR, now=later, reason="cancelled")
    assert assert_invariants(m.id)["balance"] == 50


def test_clawback_makes_a_debt_that_earnings_repay_and_that_blocks_spending():
    m = factories.member()
    earn(m.id, 100)
    spend(m.id, 80)
    ledger.claw_back(
        m.id, 100, kind="refund", source_type="refund", source_id=None, actor=ACTOR, now=T0
    )
    s = assert_invariants(m.id)
    assert (s["balance"], s["debt"]) == (-80, 80)
    with pytest.raises(InsufficientPoints):
        spend(m.id, 1)
    earn(m.id, 50)
    assert assert_invariants(m.id)["balance"] == -30
    earn(m.id, 50)
    s = assert_invariants(m.id)
    assert (s["balance"], s["debt"], s["open_lots"]) == (20, 0, 20)
    spend(m.id, 20)
    assert assert_invariants(m.id)["balance"] == 0
