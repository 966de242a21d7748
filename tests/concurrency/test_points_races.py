"""Races on one member: the database, not Python, decides who wins."""

import threading

import pytest

from memberportal.extensions import db
from memberportal.points.errors import InsufficientPoints
from memberportal.purchases import services
from memberportal.purchases.errors import DuplicatePurchase
from tests import factories
from tests.points_helpers import ACTOR, T0, assert_invariants, earn, spend

pytestmark = pytest.mark.concurrency


def run_threads(app, count, work):
    outcomes, barrier = [], threading.Barrier(count)

    def worker():
        with app.app_context():
            barrier.wait()
            try:
                work()
                outcomes.append("ok")
            except Exception as error:  # noqa: BLE001 - the outcome is what we count
                outcomes.append(type(error).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def test_twenty_spends_on_a_balance_covering_five(app):
    member_id = factories.member().id
    for _ in range(3):
        earn(member_id, 50)
    outcomes = run_threads(app, 20, lambda: spend(member_id, 30))
    assert outcomes.count("ok") == 5, outcomes
    assert outcomes.count(InsufficientPoints.__name__) == 15
    assert assert_invariants(member_id)["balance"] == 0


def test_twenty_reports_of_one_order_credit_once(app):
    member_id = factories.member().id
    outcomes = run_threads(
        app,
        20,
        lambda: services.record_purchase(
            member_id, 5000, "SAME-1", source="pos", actor=ACTOR, now=T0
        ),
    )
    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count(DuplicatePurchase.__name__) == 19
    assert assert_invariants(member_id)["balance"] == 50
