"""A paid membership's life, driven only by signed webhooks built from Stripe's samples."""

from datetime import timedelta

from memberportal.core.clock import utcnow
from memberportal.memberships.models import BillingRecord
from memberportal.memberships.queries import active_benefits
from tests.webhooks.stripe_sim import count, membership


def amounts(member_id):
    from sqlalchemy import select

    from memberportal.extensions import db

    return list(
        db.session.scalars(
            select(BillingRecord.amount_cents)
            .where(BillingRecord.member_id == member_id, BillingRecord.kind == "payment")
            .order_by(BillingRecord.id)
        )
    )


def test_discounted_first_year_then_full_renewal_then_failure_then_unpaid(sim, payer):
    sub = sim.subscribe(payer)
    first = membership(sub)
    assert first.status == "active" and amounts(payer.id) == [9900]
    benefits = active_benefits(payer.id, utcnow())
    assert benefits.plan_code == "SVIP" and benefits.points_multiplier_pct == 150
    first_end = first.current_period_end
    assert first.renewal_amount_cents == 19900

    sim.renew(sub)
    renewed = membership(sub)
    assert amounts(payer.id) == [9900, 19900]
    assert renewed.current_period_end > first_end + timedelta(days=360)

    sim.renew(sub, paid=False)
    failing = membership(sub)
    assert failing.status == "past_due"
    # Access is kept while Stripe retries.
    assert active_benefits(payer.id, utcnow()) is not None

    sim.end(sub, "unpaid")
    assert membership(sub).status == "ended"
    assert active_benefits(payer.id, utcnow()) is None
    assert all(status == 200 for status, _ in sim.responses)


def test_cancel_at_period_end_keeps_access_until_the_end(sim, payer):
    sub = sim.subscribe(payer)
    sim.cancel_at_period_end(sub)
    m = membership(sub)
    assert m.status == "active" and m.cancel_at_period_end
    assert active_benefits(payer.id, utcnow()) is not None
    # The benefits last until the period end plus a day's grace, not beyond.
    assert active_benefits(payer.id, m.current_period_end + timedelta(hours=23)) is not None
    assert active_benefits(payer.id, m.current_period_end + timedelta(days=1, seconds=1)) is None
    sim.end(sub, "canceled")
    assert membership(sub).status == "ended"


def test_full_refund_of_the_current_period_revokes_at_once(sim, payer):
    sub = sim.subscribe(payer)
    sim.refund(sub)
    assert membership(sub).status == "revoked"
    assert active_benefits(payer.id, utcnow()) is None
    assert count(BillingRecord, BillingRecord.kind == "refund") == 1


def test_partial_refund_keeps_the_membership(sim, payer):
    sub = sim.subscribe(payer)
    sim.refund(sub, amount=1000)
    assert membership(sub).status == "active"


def test_dispute_holds_then_won_restores(sim, payer):
    sub = sim.subscribe(payer)
    dispute = sim.open_dispute(sub)
    assert membership(sub).status == "on_hold"
    assert active_benefits(payer.id, utcnow()) is None
    sim.renew(sub)  # a renewal while the dispute is open keeps the hold
    assert membership(sub).status == "on_hold"
    sim.close_dispute(dispute, "won")
    assert membership(sub).status == "active"
    assert active_benefits(payer.id, utcnow()) is not None


def test_dispute_lost_revokes(sim, payer):
    sub = sim.subscribe(payer)
    dispute = sim.open_dispute(sub)
    sim.close_dispute(dispute, "lost")
    assert membership(sub).status == "revoked"
    assert active_benefits(payer.id, utcnow()) is None


def test_a_late_active_event_never_revives_an_ended_membership(sim, payer):
    sub = sim.subscribe(payer)
    stale = sim.get(sub)  # the subscription as it was while active
    sim.end(sub, "canceled")
    sim.post(sim.event("customer.subscription.updated", stale))
    assert membership(sub).status == "ended"
    # Even if the processor were to answer "active" again, ended is final.
    sim.put("subscription", stale)
    sim.post(sim.event("customer.subscription.updated", stale))
    assert membership(sub).status == "ended"
