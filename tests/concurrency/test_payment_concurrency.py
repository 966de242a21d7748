"""Refunds and disputes of one payment arriving at once: each counts once, whichever
transaction commits first."""

import pytest
from sqlalchemy import func, select

from memberportal.extensions import db
from memberportal.memberships import demo as membership_demo
from memberportal.memberships.models import BillingRecord, ChargeRefund
from memberportal.memberships.queries import paid_members
from tests import factories
from tests.concurrency.test_webhook_concurrency import deliver_together
from tests.webhooks.stripe_sim import Sim, membership

pytestmark = pytest.mark.concurrency


def refunded_total(member_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.coalesce(func.sum(BillingRecord.amount_cents), 0)).where(
            BillingRecord.member_id == member_id, BillingRecord.kind == "refund"
        )
    )


def two_refunds(client, first: int, second: int):
    """A paid member, and the charge.refunded events of two successive partial refunds
    (each event carries the charge's cumulative amount_refunded)."""
    payer = factories.member()
    sim = Sim(client)
    sub = sim.subscribe(payer)
    sim.collect = True
    sim.refund(sub, amount=first)
    sim.refund(sub, amount=second)
    return payer, sub, sim.collected


@pytest.mark.parametrize("round_", range(6))
def test_two_partial_refunds_of_one_charge_together(app, client, round_):
    membership_demo.load()
    db.session.commit()
    payer, sub, events = two_refunds(client, 1000, 3000)
    results = deliver_together(app, events)
    assert sorted(status for status, _ in results) == [200, 200]
    assert refunded_total(payer.id) == 3000
    assert db.session.scalar(select(ChargeRefund.refunded_cents)) == 3000
    assert membership(sub).status == "active"
    (row,) = paid_members()
    assert row.revenue_cents == 9900 - 3000


def test_a_partial_and_the_full_refund_together_revoke_once(app, client):
    membership_demo.load()
    db.session.commit()
    payer, sub, events = two_refunds(client, 2500, 9900)
    deliver_together(app, events)
    assert refunded_total(payer.id) == 9900
    assert membership(sub).status == "revoked"


@pytest.mark.parametrize("outcome", ["won", "lost"])
def test_a_dispute_opening_and_closing_together(app, client, outcome):
    membership_demo.load()
    db.session.commit()
    payer = factories.member()
    sim = Sim(client)
    sub = sim.subscribe(payer)
    sim.collect = True
    sim.close_dispute(sim.open_dispute(sub), outcome)
    results = deliver_together(app, sim.collected * 2)
    assert [status for status, _ in results] == [200] * 4
    assert membership(sub).status == {"won": "active", "lost": "revoked"}[outcome]


@pytest.mark.parametrize("round_", range(3))
def test_two_owners_changing_a_price_at_once_leave_an_exact_audit_trail(app, round_):
    """The edit takes the plan's row before reading it (on both engines), so the second
    edit's audit row says it replaced the first one's price, not the price both read."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from memberportal.audit.models import AuditEntry
    from memberportal.core.actors import SystemActor
    from memberportal.memberships import services
    from memberportal.memberships.models import Plan

    membership_demo.load()
    db.session.commit()
    plan_id = db.session.scalar(select(Plan.id))
    barrier = threading.Barrier(2)

    def edit(price):
        with app.app_context():
            barrier.wait()
            services.update_plan(plan_id, actor=SystemActor(), price_cents=price)

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(edit, (25900, 29900)))
    db.session.expire_all()
    changes = [
        entry.details["price_cents"]
        for entry in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "plan.updated").order_by(AuditEntry.id)
        )
    ]
    final = db.session.scalar(select(Plan.price_cents).where(Plan.id == plan_id))
    assert changes[0][0] == 19900 and changes[-1][1] == final
    assert len(changes) == 2 and changes[1][0] == changes[0][1]  # a chain, no lost "old"
