"""Whatever order checkout.session.completed, invoice.paid and customer.subscription.updated
arrive in, the membership ends up the same: decisions come from the latest subscription state."""

import itertools

from sqlalchemy import select

from memberportal.extensions import db
from memberportal.memberships.models import BillingRecord, Checkout
from tests import factories
from tests.webhooks.stripe_sim import Sim, membership


def final_state(sub, member_id):
    m = membership(sub)
    billing = db.session.scalars(
        select(BillingRecord.amount_cents).where(BillingRecord.member_id == member_id)
    ).all()
    checkouts = db.session.scalars(select(Checkout.state).where(Checkout.member_id == member_id))
    return (
        m.status,
        m.current_period_end - m.current_period_start,
        m.cancel_at_period_end,
        m.renewal_amount_cents,
        m.stripe_customer_id is not None,
        tuple(sorted(billing)),
        tuple(checkouts),
    )


def test_all_orders_converge(client, svip):
    results = set()
    for order in itertools.permutations(range(3)):
        member = factories.member()
        sim = Sim(client, collect=True)
        sub = sim.subscribe(member)
        completed, paid = sim.collected
        updated = sim.event("customer.subscription.updated", sim.get(sub))
        events = (completed, paid, updated)
        for index in order:
            assert sim.post(events[index])[0] == 200
        results.add(final_state(sub, member.id))
    assert len(results) == 1
    (state,) = results
    assert state[0] == "active" and state[5] == (9900,)


def test_renewal_events_in_any_order_converge(client, svip):
    results = set()
    for order in itertools.permutations(range(3)):
        member = factories.member()
        sim = Sim(client)
        sub = sim.subscribe(member)
        sim.collect = True
        sim.renew(sub)
        paid, updated = sim.collected
        stale = sim.event("customer.subscription.updated", sim.get(sub))
        events = (paid, updated, stale)
        for index in order:
            sim.post(events[index])
        results.add(final_state(sub, member.id))
    assert len(results) == 1
    assert next(iter(results))[5] == (9900, 19900)
