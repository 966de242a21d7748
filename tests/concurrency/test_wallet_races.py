"""Races on one stored balance: the database, not Python, decides who wins."""

import json

import pytest
from sqlalchemy import select

from memberportal.extensions import db
from memberportal.wallet import queries, services
from memberportal.wallet.errors import InsufficientBalance, RefundExceedsPayment, UnknownPayment
from memberportal.wallet.models import TopUp, WalletEntry
from tests import factories
from tests.concurrency.test_points_races import run_threads
from tests.concurrency.test_webhook_concurrency import deliver_together
from tests.wallet_helpers import ACTOR, T0, assert_invariants, pay, refund, state, topped_up
from tests.webhooks.stripe_sim import Sim, count
from tests.webhooks.test_wallet_topups import open_topup, paid_events

pytestmark = pytest.mark.concurrency


def test_twenty_spends_on_a_balance_covering_five(app):
    member_id = factories.member().id
    topped_up(member_id, 50000, 5000)
    outcomes = run_threads(app, 20, lambda: pay(member_id, 11000))
    assert outcomes.count("ok") == 5, outcomes
    assert outcomes.count(InsufficientBalance.__name__) == 15
    assert assert_invariants(member_id) == {"principal": 0, "bonus": 0,
                                            "ledger_principal": 0, "ledger_bonus": 0}  # fmt: skip


def test_twenty_payments_of_one_order_pay_once(app):
    member_id = factories.member().id
    topped_up(member_id, 50000, 5000)
    outcomes = run_threads(app, 20, lambda: pay(member_id, 1000, "SAME-ORDER"))
    assert outcomes.count("ok") == 1, outcomes
    assert assert_invariants(member_id)["principal"] + state(member_id)["bonus"] == 54000


@pytest.mark.parametrize("round_", range(4))
def test_a_spend_racing_its_own_refund(app, round_):
    member_id = factories.member().id
    topped_up(member_id, 50000, 5000)
    ref = f"RACE-{round_}"

    def spend_or_refund():
        found = queries.spend_by_ref("counter", ref)
        if found is None:
            try:
                pay(member_id, 11000, ref)
                return
            except Exception:  # noqa: BLE001 - the other thread paid first: refund it
                db.session.rollback()
                found = queries.spend_by_ref("counter", ref)
        if found is None:
            raise UnknownPayment()
        refund(found.id, 11000, "R")

    outcomes = run_threads(app, 2, spend_or_refund)
    final = assert_invariants(member_id)
    refunded = count(WalletEntry, WalletEntry.kind == "spend_refund")
    assert count(WalletEntry, WalletEntry.kind == "spend") == 1, outcomes
    assert final["principal"] + final["bonus"] == (55000 if refunded else 44000), outcomes


def test_ten_partial_refunds_never_return_more_than_was_spent(app):
    member_id = factories.member().id
    topped_up(member_id, 50000, 5000)
    spend_id = pay(member_id, 11000).id
    outcomes = run_threads(app, 10, lambda: refund(spend_id, 3000))
    assert outcomes.count("ok") == 3, outcomes
    assert outcomes.count(RefundExceedsPayment.__name__) == 7
    assert assert_invariants(member_id)["principal"] + state(member_id)["bonus"] == 53000


def test_a_top_up_refund_racing_spends_keeps_the_ledger(app):
    member_id = factories.member().id
    topup_id = topped_up(member_id, 50000, 5000).id

    def work():
        try:
            services.refund_topup(topup_id, actor=ACTOR, now=T0)
        except Exception:  # noqa: BLE001 - the others spend instead
            db.session.rollback()
            pay(member_id, 5500)

    run_threads(app, 6, work)
    assert assert_invariants(member_id)
    db.session.expire_all()
    assert db.session.get(TopUp, topup_id).state == "refunding"


def test_a_top_up_webhook_delivered_ten_times_at_once_credits_once(app, client):
    member = factories.member()
    sim = Sim(client)
    topup_id, session_id = open_topup(sim, member)
    completed = paid_events(sim, session_id)
    obj = json.loads(completed)["data"]["object"]
    # Five copies of the event and five more events for the same payment, all at once.
    payloads = [completed] * 5 + [sim.event("checkout.session.completed", obj) for _ in range(5)]
    results = deliver_together(app, payloads)
    assert [status for status, _ in results] == [200] * 10
    assert sorted(outcome for _, outcome in results).count("applied") == 1, results
    assert assert_invariants(member.id)["principal"] == 50000
    assert count(WalletEntry) == 1
    assert db.session.scalar(select(TopUp.state).where(TopUp.id == topup_id)) == "paid"
