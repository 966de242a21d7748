"""Risk races: scans running together record each finding once; a freeze and a spend on one
member never leave half of either."""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.errors import AccountFrozen
from memberportal.points.models import LedgerEntry
from memberportal.risk import freezes, services
from memberportal.risk.models import RiskFlag, RiskScan
from tests import factories
from tests.concurrency.test_points_races import run_threads
from tests.points_helpers import ACTOR, assert_invariants, earn, spend
from tests.risk_helpers import NOON, buy

pytestmark = pytest.mark.concurrency


def test_four_scans_at_once_record_each_finding_once(app):
    busy, big = factories.member(), factories.member()
    for i in range(9):
        buy(busy.id, 1000, NOON + timedelta(minutes=i))
    buy(big.id, 600_000, NOON)
    buy(big.id, 700_000, NOON)
    outcomes = run_threads(app, 4, lambda: services.scan(now=NOON + timedelta(minutes=20)))
    assert outcomes == ["ok"] * 4, outcomes
    db.session.expire_all()
    rows = db.session.execute(
        select(RiskFlag.rule, func.count()).group_by(RiskFlag.rule).order_by(RiskFlag.rule)
    ).all()
    assert [tuple(r) for r in rows] == [("big_purchase", 2), ("many_purchases", 1)]
    state = db.session.get(RiskScan, 1)
    assert (state.scans, state.scanned_until) == (4, NOON + timedelta(minutes=20))


def test_scans_at_different_times_together_still_record_once(app):
    member = factories.member()
    for i in range(10):
        buy(member.id, 600_000, NOON + timedelta(minutes=i))
    times = iter(NOON + timedelta(minutes=30 + i) for i in range(6))
    lock = threading.Lock()

    def scan():
        with lock:
            now = next(times)
        services.scan(now=now)

    outcomes = run_threads(app, 6, scan)
    assert outcomes == ["ok"] * 6, outcomes
    db.session.expire_all()
    assert db.session.scalar(select(func.count(RiskFlag.id))) == 11  # ten big, one busy day


def _spend_entries(member_id: int) -> int:
    return db.session.scalar(
        select(func.count(LedgerEntry.id)).where(
            LedgerEntry.member_id == member_id, LedgerEntry.entry_type == "spend"
        )
    )


def test_a_freeze_committed_while_a_spend_waits_refuses_the_spend(app):
    member_id = factories.member().id
    earn(member_id, 500)
    # The freeze takes the member's row and holds it, uncommitted.
    db.session.execute(
        update(Member.__table__)
        .where(Member.__table__.c.id == member_id)
        .values(frozen_at=NOON, frozen_reason="Held for review.")
    )
    outcome = []

    def spender():
        with app.app_context():
            try:
                spend(member_id, 100)
                outcome.append("ok")
            except Exception as error:  # noqa: BLE001 - the outcome is what we check
                outcome.append(type(error).__name__)
            finally:
                db.session.remove()

    thread = threading.Thread(target=spender)
    thread.start()
    time.sleep(0.5)
    assert thread.is_alive()  # waiting for the member's row
    db.session.commit()
    thread.join(timeout=30)
    assert outcome == [AccountFrozen.__name__]
    assert assert_invariants(member_id)["balance"] == 500
    assert _spend_entries(member_id) == 0


def test_freezes_racing_spends_leave_each_spend_whole_or_refused(app):
    for _round in range(5):
        member_id = factories.member().id
        earn(member_id, 1000)
        results = []

        def work(i, member_id=member_id, results=results):
            if i == 0:
                freezes.freeze_member(member_id, "Race.", actor=ACTOR, now=NOON)
            else:
                try:
                    spend(member_id, 100)
                    results.append("spent")
                except AccountFrozen:
                    results.append("refused")

        counter, lock = iter(range(6)), threading.Lock()

        def one(counter=counter, lock=lock, work=work):
            with lock:
                i = next(counter)
            work(i)

        outcomes = run_threads(app, 6, one)
        assert outcomes == ["ok"] * 6, outcomes
        spent = results.count("spent")
        assert spent + results.count("refused") == 5
        state = assert_invariants(member_id)
        assert state["balance"] == 1000 - 100 * spent
        assert _spend_entries(member_id) == spent
        db.session.expire_all()
        assert db.session.get(Member, member_id).frozen_reason == "Race."
