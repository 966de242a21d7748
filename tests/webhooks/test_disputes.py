"""A dispute's opening and closing in either order, each delivered more than once (and under
two event ids): the outcome is the closing's, and a late opening never puts a hold back."""

import json

import pytest
from sqlalchemy import select

from memberportal.audit.models import AuditEntry
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.memberships.models import Dispute
from memberportal.memberships.queries import active_benefits
from tests.webhooks.stripe_sim import count, membership


def dispute_events(sim, sub, outcome):
    sim.collect = True
    dispute = sim.open_dispute(sub)
    sim.close_dispute(dispute, outcome)
    sim.collect = False
    opened, closed = sim.collected
    # The same change reported again under another event id.
    again = sim.event("charge.dispute.closed", json.loads(closed)["data"]["object"])
    return dispute, opened, closed, again


FINAL = {"won": "active", "lost": "revoked"}


@pytest.mark.parametrize("outcome", ["won", "lost"])
@pytest.mark.parametrize("closed_first", [False, True])
def test_opening_and_closing_in_either_order(sim, payer, outcome, closed_first):
    sub = sim.subscribe(payer)
    dispute, opened, closed, again = dispute_events(sim, sub, outcome)
    order = [closed, opened] if closed_first else [opened, closed]
    for payload in order + [again, opened, closed] * 2:
        assert sim.post(payload)[0] == 200
    assert membership(sub).status == FINAL[outcome]
    assert (active_benefits(payer.id, utcnow()) is not None) == (outcome == "won")
    db.session.expire_all()
    assert db.session.scalar(select(Dispute.state).where(Dispute.dispute_id == dispute)) == outcome
    # A hold is placed only when the opening came first, and at most once.
    holds = count(AuditEntry, AuditEntry.action == "membership.on_hold")
    assert holds == (0 if closed_first else 1)


def test_a_late_opening_after_a_won_dispute_keeps_the_member_active(sim, payer):
    sub = sim.subscribe(payer)
    _dispute, opened, closed, _again = dispute_events(sim, sub, "won")
    sim.post(closed)
    assert sim.post(opened)[1]["outcome"] == "no_change"
    assert membership(sub).status == "active"
