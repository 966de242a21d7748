"""The paid card's events reach the outbox with the verified webhook that changed it, once."""

from memberportal.core.clock import local_date
from tests.notifications.helpers import events
from tests.webhooks.stripe_sim import membership


def test_renewed_payment_failed_and_ending_each_once(sim, payer):
    sub = sim.subscribe(payer)
    assert events(payer.id) == []  # joining is not one of the events members are told
    sim.renew(sub)
    sim.renew(sub, paid=False)
    sim.cancel_at_period_end(sub)
    sim.cancel_at_period_end(sub)  # the same state again: no second event
    kinds = [kind for kind, _ in events(payer.id)]
    assert kinds == ["membership.renewed", "membership.payment_failed", "membership.ending"]
    end = local_date(membership(sub).current_period_end).isoformat()
    renewed, _failed, ending = (payload for _, payload in events(payer.id))
    assert renewed["plan"]["en"] and renewed["period_end"] == end
    assert ending["period_end"] == end  # "your benefits last until" the brand-local day
