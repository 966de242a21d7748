"""Only a delivery the stripe library verifies is read; anything else is a 400, writes nothing."""

import time

import pytest

from memberportal.audit.models import AuditEntry
from memberportal.memberships.models import Membership
from memberportal.payments.gateway import webhook_secret
from memberportal.payments.models import PaymentFact, StripeEvent
from memberportal.payments.stripe_events import sign
from tests.webhooks.stripe_sim import count


@pytest.fixture
def paid_events(client, svip, payer):
    from tests.webhooks.stripe_sim import Sim

    collector = Sim(client, collect=True)
    collector.subscribe(payer)
    return collector, collector.collected  # checkout.session.completed, invoice.paid


def nothing_written():
    return (
        count(StripeEvent) == 0
        and count(Membership) == 0
        and count(PaymentFact, PaymentFact.key.like("invoice%")) == 0
        and count(AuditEntry, AuditEntry.actor_kind == "stripe") == 0
    )


def test_tampered_body_is_refused(paid_events):
    sim, (completed, paid) = paid_events
    header = sign(paid, webhook_secret())
    tampered = paid.replace('"amount_paid": 9900', '"amount_paid": 1')
    assert tampered != paid
    status, body = sim.post(tampered, header)
    assert status == 400 and body == {"error": "invalid payload or signature"}
    assert nothing_written()


def test_wrong_secret_is_refused(paid_events):
    sim, (completed, paid) = paid_events
    assert sim.post(paid, sign(paid, "whsec_not_ours"))[0] == 400
    assert nothing_written()


def test_stale_timestamp_is_refused(paid_events):
    sim, (completed, paid) = paid_events
    old = int(time.time()) - 301
    assert sim.post(paid, sign(paid, webhook_secret(), timestamp=old))[0] == 400
    assert nothing_written()


def test_missing_or_garbled_header_is_refused(paid_events):
    sim, (completed, paid) = paid_events
    response = sim.client.post("/stripe/webhook", data=paid, content_type="application/json")
    assert response.status_code == 400
    assert sim.post(paid, "t=abc,v1=zz")[0] == 400
    assert sim.post(paid, "v0=abc")[0] == 400
    assert nothing_written()


def test_signed_non_event_is_refused(paid_events):
    sim, _events = paid_events
    assert sim.post("[1, 2]")[0] == 400
    assert sim.post('{"object": "event", "id": "evt_1"}')[0] == 400
    assert nothing_written()


def test_a_valid_delivery_needs_no_csrf_token_and_is_applied(paid_events):
    sim, (completed, paid) = paid_events
    assert sim.post(completed) == (200, {"received": True, "outcome": "applied"})
    assert count(Membership) == 1
