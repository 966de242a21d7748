"""checkout.session.expired: the member's open checkout closes, Join starts a new one, and
repeats (or a second event id for the same session) change nothing."""

import json

from sqlalchemy import select

from memberportal.audit.models import AuditEntry
from memberportal.extensions import db
from memberportal.memberships.models import Checkout
from memberportal.payments.models import StripeEvent
from tests.webhooks.stripe_sim import Sim, count


def test_an_expired_checkout_closes_and_join_opens_a_new_one(member_web, client, svip):
    first = member_web.submit("/membership/join/SVIP", page="/membership/")
    session_id = first.location.rsplit("/", 1)[1]
    sim = Sim(client, collect=True)
    assert sim.expire(session_id)
    (expired,) = sim.collected
    again = sim.event("checkout.session.expired", json.loads(expired)["data"]["object"])
    outcomes = [sim.post(payload)[1]["outcome"] for payload in (expired, expired, again)]
    assert outcomes == ["applied", "duplicate", "no_change"]
    assert count(Checkout, Checkout.state == "expired") == 1
    assert count(AuditEntry, AuditEntry.action == "membership.checkout_expired") == 1

    page = member_web.get(
        f"/membership/return?session_id={session_id}", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert 'data-testid="checkout-expired"' in page and "Nothing was charged" in page

    second = member_web.submit("/membership/join/SVIP", page="/membership/")
    assert second.status_code == 303 and second.location != first.location
    db.session.expire_all()
    states = dict(db.session.execute(select(Checkout.session_id, Checkout.state)).all())
    assert states == {session_id: "expired", second.location.rsplit("/", 1)[1]: "open"}


def test_expiry_of_a_paid_or_unknown_session_changes_nothing(member_web, client, svip):
    joined = member_web.submit("/membership/join/SVIP", page="/membership/")
    session_id = joined.location.rsplit("/", 1)[1]
    member_web.submit(f"/membership/demo-checkout/{session_id}/pay", page=joined.location)
    sim = Sim(client)
    session = sim.get(session_id)
    assert sim.post(sim.event("checkout.session.expired", session))[1]["outcome"] == "no_change"
    assert count(Checkout, Checkout.state == "completed") == 1
    stranger = dict(session, id="cs_test_someone_else")
    assert sim.post(sim.event("checkout.session.expired", stranger))[1]["outcome"] == "unmatched"
    assert count(StripeEvent, StripeEvent.outcome == "unmatched") == 1
