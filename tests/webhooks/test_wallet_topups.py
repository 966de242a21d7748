"""Top-ups through signed webhook events: only a verified paid checkout credits, once however
often and in whatever order its events arrive; refunds and disputes of a top-up's payment."""

import json

import pytest

from memberportal.extensions import db
from memberportal.payments.models import StripeEvent
from memberportal.payments.stripe_events import new_id, sign
from memberportal.wallet import services
from memberportal.wallet.errors import WalletFrozen
from memberportal.wallet.models import TopUp, WalletEntry
from memberportal.wallet.queries import wallet_of
from tests import factories
from tests.wallet_helpers import ACTOR, T0, assert_invariants, pay, plan, state
from tests.webhooks.stripe_sim import Sim, count


@pytest.fixture
def sim(client):
    return Sim(client)


def open_topup(sim, member, pay_cents=50000, bonus_cents=5000):
    """A pending top-up with an open payment-mode checkout in the demo store."""
    found = plan(pay_cents, bonus_cents)
    topup = services.start_topup(found.id, member.id, actor=ACTOR, now=T0)
    session = sim.shapes.payment_session(
        session_id=new_id("cs"), amount_total=pay_cents,
        metadata={"wallet_topup_id": str(topup.id), "member_id": str(member.id)},
    )  # fmt: skip
    sim.put("checkout.session", session)
    services.attach_session(topup.id, session["id"])
    return topup.id, session["id"]


def paid_events(sim, session_id):
    sim.collect = True
    sim.pay_payment(session_id)
    sim.collect = False
    (completed,) = sim.collected
    sim.collected.clear()
    return completed


def test_a_replayed_paid_event_credits_once(sim):
    member = factories.member()
    topup_id, session_id = open_topup(sim, member)
    completed = paid_events(sim, session_id)
    outcomes = [sim.post(completed)[1]["outcome"] for _ in range(10)]
    assert outcomes == ["applied"] + ["duplicate"] * 9
    # The same payment reported again under another event id changes nothing either.
    again = sim.event("checkout.session.completed", json.loads(completed)["data"]["object"])
    assert sim.post(again)[1]["outcome"] == "no_change"
    assert assert_invariants(member.id)["principal"] == 50000
    assert state(member.id)["bonus"] == 5000
    assert count(WalletEntry) == 1
    assert db.session.get(TopUp, topup_id).state == "paid"


def test_a_bad_signature_credits_nothing(sim):
    member = factories.member()
    _topup_id, session_id = open_topup(sim, member)
    completed = paid_events(sim, session_id)
    status, _body = sim.post(completed, header=sign(completed, "whsec_wrong"))
    assert status == 400
    assert state(member.id)["principal"] == 0 and count(StripeEvent) == 0


def test_an_expiry_arriving_after_the_payment_changes_nothing(sim):
    member = factories.member()
    topup_id, session_id = open_topup(sim, member)
    completed = paid_events(sim, session_id)
    session = json.loads(completed)["data"]["object"]
    expired = sim.event("checkout.session.expired", {**session, "status": "expired"})
    sim.post(completed)
    assert sim.post(expired)[1]["outcome"] == "no_change"
    db.session.expire_all()
    assert db.session.get(TopUp, topup_id).state == "paid"
    assert state(member.id)["principal"] == 50000


def test_a_payment_arriving_after_the_expiry_still_credits_once(sim):
    member = factories.member()
    topup_id, session_id = open_topup(sim, member)
    session = sim.get(session_id)
    expired = sim.event("checkout.session.expired", {**session, "status": "expired"})
    completed = paid_events(sim, session_id)
    assert sim.post(expired)[1]["outcome"] == "applied"
    assert sim.post(completed)[1]["outcome"] == "applied"
    assert sim.post(completed)[1]["outcome"] == "duplicate"
    assert state(member.id)["principal"] == 50000


def test_a_payment_of_another_amount_is_not_credited(sim):
    member = factories.member()
    _topup_id, session_id = open_topup(sim, member)
    completed = json.loads(paid_events(sim, session_id))
    completed["data"]["object"]["amount_total"] = 1
    assert sim.post(json.dumps(completed))[1]["outcome"] == "no_change"
    assert state(member.id)["principal"] == 0


def paid_topup(sim, member, pay_cents=50000, bonus_cents=5000):
    topup_id, session_id = open_topup(sim, member, pay_cents, bonus_cents)
    sim.post(paid_events(sim, session_id))
    db.session.expire_all()
    return db.session.get(TopUp, topup_id)


def dispute_payloads(sim, topup, status):
    charge = sim.get(sim.get(topup.payment_intent_id)["latest_charge"])
    dispute = sim.shapes.dispute(
        dispute_id=new_id("dp"), charge=charge["id"], payment_intent=topup.payment_intent_id,
        amount=charge["amount"], status="needs_response",
    )  # fmt: skip
    opened = sim.event("charge.dispute.created", dispute)
    closed = sim.event("charge.dispute.closed", {**dispute, "status": status})
    return opened, closed


def test_a_dispute_freezes_the_wallet_until_won(sim):
    member = factories.member()
    topup = paid_topup(sim, member)
    opened, closed = dispute_payloads(sim, topup, "won")
    assert sim.post(opened)[1]["outcome"] == "applied"
    assert wallet_of(member.id).frozen
    with pytest.raises(WalletFrozen):
        pay(member.id, 100)
    sim.post(closed)
    sim.post(opened)  # a replay after the closing puts no hold back
    assert not wallet_of(member.id).frozen
    pay(member.id, 100)
    assert assert_invariants(member.id)["principal"] + state(member.id)["bonus"] == 54900


@pytest.mark.parametrize("closed_first", [False, True])
def test_a_lost_dispute_takes_the_top_up_back_once(sim, closed_first):
    member = factories.member()
    topup = paid_topup(sim, member)
    pay(member.id, 11000)
    opened, closed = dispute_payloads(sim, topup, "lost")
    order = [closed, opened] if closed_first else [opened, closed]
    for payload in order * 2:
        assert sim.post(payload)[0] == 200
    db.session.expire_all()
    taken = db.session.get(TopUp, topup.id)
    assert taken.state == "charged_back"
    assert (taken.refunded_principal_cents, taken.forfeited_bonus_cents) == (40000, 4000)
    assert not wallet_of(member.id).frozen
    assert assert_invariants(member.id) == {"principal": 0, "bonus": 0,
                                            "ledger_principal": 0, "ledger_bonus": 0}  # fmt: skip


def test_a_refund_made_at_the_processor_refunds_the_top_up_by_the_rule(sim):
    member = factories.member()
    topup = paid_topup(sim, member)
    pay(member.id, 11000)
    charge = sim.get(sim.get(topup.payment_intent_id)["latest_charge"])
    refunded = sim.event("charge.refunded", {**charge, "amount_refunded": 40000})
    assert sim.post(refunded)[1]["outcome"] == "applied"
    assert sim.post(refunded)[1]["outcome"] == "duplicate"
    db.session.expire_all()
    assert db.session.get(TopUp, topup.id).state == "refunded"
    assert assert_invariants(member.id)["principal"] == 0
