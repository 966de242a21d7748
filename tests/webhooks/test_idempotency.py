"""Every event delivered five times acts once; two event ids for one fact act once; events for
nobody are kept as unmatched and listed for the owner."""

import json

import pytest

from memberportal.audit.models import AuditEntry
from memberportal.memberships.models import BillingRecord, Membership
from memberportal.payments.models import StripeEvent
from tests.webhooks.stripe_sim import Sim, count, membership


def effects():
    return (
        count(StripeEvent),
        count(BillingRecord),
        count(AuditEntry, AuditEntry.actor_kind == "stripe"),
    )


def replay_last(sim, times=4):
    """Deliver the last collected payloads again, `times` more each."""
    for payload in list(sim.collected):
        for _ in range(times):
            assert sim.post(payload) == (200, {"received": True, "outcome": "duplicate"})


SCENARIOS = {
    "checkout.session.completed+invoice.paid": lambda sim, sub: None,
    "invoice.paid (renewal)": lambda sim, sub: sim.renew(sub),
    "invoice.payment_failed": lambda sim, sub: sim.renew(sub, paid=False),
    "customer.subscription.updated": lambda sim, sub: sim.cancel_at_period_end(sub),
    "customer.subscription.deleted": lambda sim, sub: sim.end(sub, "canceled"),
    "charge.refunded": lambda sim, sub: sim.refund(sub),
    "charge.dispute.created": lambda sim, sub: sim.open_dispute(sub),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_event_five_times_has_one_effect(client, svip, payer, name):
    sim = Sim(client, collect=True)
    sub = sim.subscribe(payer)
    if name.startswith("checkout"):
        first = list(sim.collected)
    else:
        for payload in sim.collected:
            sim.post(payload)
        sim.collected.clear()
        SCENARIOS[name](sim, sub)
        first = list(sim.collected)
    for payload in first:
        sim.post(payload)
    once = effects(), membership(sub).status, membership(sub).current_period_end
    replay_last(sim)
    assert (effects(), membership(sub).status, membership(sub).current_period_end) == once


def test_dispute_closed_five_times_has_one_effect(sim, payer):
    sub = sim.subscribe(payer)
    dispute = sim.open_dispute(sub)
    sim.collect = True
    sim.close_dispute(dispute, "lost")
    sim.post(sim.collected[0])
    once = effects()
    replay_last(sim)
    assert effects() == once and membership(sub).status == "revoked"


def test_two_event_ids_for_one_paid_invoice_record_one_payment(sim, payer):
    sub = sim.subscribe(payer)
    invoice = sim.renew(sub)
    again = sim.event("invoice.paid", invoice)  # same invoice, a new event id
    assert sim.post(again)[1]["outcome"] in ("no_change", "applied")
    assert count(BillingRecord, BillingRecord.invoice_id == invoice["id"]) == 1
    assert count(AuditEntry, AuditEntry.action == "membership.invoice_paid") == 2  # two invoices


def test_event_for_no_member_is_kept_as_unmatched_and_listed(client, svip, owner_web):
    sim = Sim(client)
    sub = sim.shapes.subscription(
        sub_id="sub_nobody",
        customer="cus_nobody",
        status="active",
        start=1_800_000_000,
        end=1_831_536_000,
        unit_amount=19900,
        metadata={},
    )
    sim.put("subscription", sub)
    payload = sim.event("customer.subscription.updated", sub, event_id="evt_nobody")
    assert sim.post(payload) == (200, {"received": True, "outcome": "unmatched"})
    assert count(Membership) == 0
    page = owner_web.get("/merchant/memberships/events/unmatched").get_data(as_text=True)
    assert "evt_nobody" in page and "sub_nobody" in page and "cus_nobody" in page


def test_unknown_event_types_are_acknowledged_and_stored(sim):
    payload = sim.event("customer.created", {"id": "cus_x", "object": "customer"})
    assert sim.post(payload) == (200, {"received": True, "outcome": "ignored"})
    stored = json.loads(payload)["id"]
    assert count(StripeEvent, StripeEvent.event_id == stored) == 1
