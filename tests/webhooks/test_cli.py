"""`flask memberships sync-stripe` against the local stand-in for Stripe's API, and
`flask memberships demo-event` driving the demo processor through the signed-webhook path."""

import pytest
from sqlalchemy import select

from memberportal.audit.models import AuditEntry
from memberportal.extensions import db
from memberportal.memberships.models import BillingRecord, Plan
from tests.webhooks.stripe_sim import count, membership
from tests.webhooks.test_live_gateway import KEY


@pytest.fixture
def live_app(make_app, stripe_api):
    return make_app(PAYMENTS_MODE="live", STRIPE_SECRET_KEY=KEY, STRIPE_API_BASE=stripe_api.base)


def plan(code="SVIP") -> Plan:
    db.session.expire_all()
    return db.session.scalars(select(Plan).where(Plan.code == code)).one()


def test_sync_stripe_creates_product_price_and_first_period_coupon(live_app, stripe_api, svip):
    result = run(live_app, "sync-stripe", "SVIP")
    assert result.exit_code == 0, result.output
    fake = stripe_api.stripe
    (product,) = fake.calls("POST", "/v1/products")
    (price,) = fake.calls("POST", "/v1/prices")
    (coupon,) = fake.calls("POST", "/v1/coupons")
    assert product.params["name"] == "SVIP paid membership"
    assert product.params["metadata[plan_code]"] == "SVIP"
    assert price.params["unit_amount"] == "19900" and price.params["currency"] == "cny"
    assert price.params["recurring[interval]"] == "year"
    product_id = next(o["id"] for o in fake.objects.values() if o["object"] == "product")
    assert price.params["product"] == product_id
    # The first year costs 99: a one-time coupon worth the 100 difference.
    assert coupon.params["amount_off"] == "10000" and coupon.params["duration"] == "once"
    assert price.headers["idempotency-key"] == "plan-SVIP-19900-year-price"
    saved = plan()
    assert fake.objects[saved.stripe_price_id]["unit_amount"] == 19900
    assert fake.objects[saved.stripe_coupon_id]["amount_off"] == 10000
    assert f"price {saved.stripe_price_id}" in result.output
    assert count(AuditEntry, AuditEntry.action == "plan.updated") == 1

    again = run(live_app, "sync-stripe", "SVIP")
    assert again.exit_code == 0 and "already uses" in again.output
    assert len(fake.calls("POST", "/v1/prices")) == 1


def test_sync_stripe_refuses_demo_mode_and_unknown_plans(app, live_app, svip):
    demo = run(app, "sync-stripe", "SVIP")
    assert demo.exit_code != 0 and "PAYMENTS_MODE=live" in demo.output
    unknown = run(live_app, "sync-stripe", "NOPE")
    assert unknown.exit_code != 0 and "No plan with code NOPE" in unknown.output
    assert plan().stripe_price_id is None


def run(app, *args):
    """Invoke a command in `app`'s own context (the test body runs in another app's)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=["memberships", *args])


def demo(app, kind, member):
    return run(app, "demo-event", kind, "--member", member.member_no)


def test_demo_events_walk_the_lifecycle(app, sim, payer):
    sub = sim.subscribe(payer)
    steps = [
        ("renewal", "active"),
        ("payment_failed", "past_due"),
        ("renewal", "active"),
        ("dispute_open", "on_hold"),
        ("dispute_won", "active"),
        ("renewal", "active"),  # one dispute per payment: the next one is on a new payment
        ("dispute_open", "on_hold"),
        ("dispute_lost", "revoked"),
    ]
    for kind, status in steps:
        result = demo(app, kind, payer)
        assert result.exit_code == 0, (kind, result.output)
        assert f"{kind}: membership {status}" in result.output
        assert membership(sub).status == status, kind
    amounts = db.session.scalars(
        select(BillingRecord.amount_cents).where(BillingRecord.kind == "payment")
    ).all()
    assert sorted(amounts) == [9900, 19900, 19900, 19900]
    ended = demo(app, "renewal", payer)
    assert ended.exit_code != 0 and "is revoked" in ended.output


@pytest.mark.parametrize(
    ("kind", "status"), [("unpaid", "ended"), ("cancel", "ended"), ("refund", "revoked")]
)
def test_demo_events_that_end_a_membership(app, sim, payer, kind, status):
    sub = sim.subscribe(payer)
    assert demo(app, kind, payer).exit_code == 0
    assert membership(sub).status == status


def test_demo_event_needs_a_member_with_a_membership(app, sim, payer, live_app):
    assert "has no paid membership" in demo(app, "renewal", payer).output
    sim.subscribe(payer)
    assert "No open dispute" in demo(app, "dispute_won", payer).output
    assert demo(app, "dispute_open", payer).exit_code == 0
    assert "disputed already" in demo(app, "dispute_open", payer).output
    assert "PAYMENTS_MODE=demo" in demo(live_app, "renewal", payer).output
