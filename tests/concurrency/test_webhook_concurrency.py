"""Ten workers receive the same signed event at once: one effect."""

import json
import threading

import pytest

from memberportal.audit.models import AuditEntry
from memberportal.memberships import demo as membership_demo
from memberportal.memberships.models import BillingRecord, Membership
from memberportal.payments.models import StripeEvent
from tests import factories
from tests.webhooks.stripe_sim import Sim, count

pytestmark = pytest.mark.concurrency


def deliver_together(app, payloads):
    """Post each payload from its own thread, all released at once."""
    from memberportal.payments.gateway import webhook_secret
    from memberportal.payments.stripe_events import sign

    signed = [(payload, sign(payload, webhook_secret())) for payload in payloads]
    barrier = threading.Barrier(len(signed))
    results = []

    def worker(payload, header):
        client = app.test_client()
        barrier.wait()
        response = client.post(
            "/stripe/webhook",
            data=payload,
            headers={"Stripe-Signature": header},
            content_type="application/json",
        )
        results.append((response.status_code, response.get_json()["outcome"]))

    pool = [threading.Thread(target=worker, args=item) for item in signed]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=90)
    return results


def test_ten_threads_deliver_the_same_paid_invoice(app, client):
    membership_demo.load()
    from memberportal.extensions import db

    db.session.commit()
    payer = factories.member()
    sim = Sim(client, collect=True)
    sim.subscribe(payer)
    _completed, paid = sim.collected
    results = deliver_together(app, [paid] * 10)
    assert sorted(results) == [(200, "applied")] + [(200, "duplicate")] * 9
    assert count(StripeEvent) == 1
    assert count(Membership) == 1
    assert count(BillingRecord) == 1
    assert count(AuditEntry, AuditEntry.action == "membership.invoice_paid") == 1


def test_ten_threads_deliver_two_event_ids_for_one_invoice(app, client):
    """Five copies each of two event ids reporting the same payment: still one payment row."""
    membership_demo.load()
    from memberportal.extensions import db

    db.session.commit()
    payer = factories.member()
    sim = Sim(client, collect=True)
    sim.subscribe(payer)
    _completed, paid = sim.collected
    other = sim.event("invoice.paid", json.loads(paid)["data"]["object"])
    results = deliver_together(app, [paid, other] * 5)
    assert len(results) == 10 and all(status == 200 for status, _ in results)
    assert count(StripeEvent) == 2
    assert count(Membership) == 1
    assert count(BillingRecord) == 1
    assert count(AuditEntry, AuditEntry.action == "membership.invoice_paid") == 1
