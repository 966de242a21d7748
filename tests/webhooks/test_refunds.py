"""Partial refunds: each event carries the charge's refunded total; the billing rows add up to
it whatever order (and however often) the events arrive."""

import itertools

from sqlalchemy import select

from memberportal.extensions import db
from memberportal.memberships.models import BillingRecord, ChargeRefund
from tests import factories
from tests.webhooks.stripe_sim import Sim, membership


def refunds(member_id):
    db.session.expire_all()
    return sorted(
        db.session.scalars(
            select(BillingRecord.amount_cents).where(
                BillingRecord.member_id == member_id, BillingRecord.kind == "refund"
            )
        )
    )


def test_partial_refunds_in_every_order_add_up_to_the_charge_total(client, svip):
    for order in itertools.permutations(range(3)):
        payer = factories.member()
        sim = Sim(client)
        sub = sim.subscribe(payer)
        sim.collect = True
        for total in (1000, 3000, 4500):
            sim.refund(sub, amount=total)
        sim.collect = False
        for index in order:
            for _ in range(2):  # every delivery twice
                assert sim.post(sim.collected[index])[0] == 200
        assert sum(refunds(payer.id)) == 4500, order
        assert membership(sub).status == "active"
    assert set(db.session.scalars(select(ChargeRefund.refunded_cents))) == {4500}


def test_in_order_partial_refunds_record_each_step(sim, payer):
    sub = sim.subscribe(payer)
    sim.refund(sub, amount=1000)
    sim.refund(sub, amount=3000)
    assert refunds(payer.id) == [1000, 2000]
    sim.refund(sub)  # the rest: a full refund of the current period
    assert refunds(payer.id) == [1000, 2000, 6900]
    assert membership(sub).status == "revoked"
