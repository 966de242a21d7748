"""A top-up in live mode through the real stripe library against the local stand-in for
Stripe's API on 127.0.0.1: the checkout it asks for, the credit from the signed webhook, and
the refund of the unspent principal."""

import json

from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.payments.stripe_events import sign
from memberportal.wallet import payments
from memberportal.wallet.models import TopUp
from tests import factories
from tests.wallet_helpers import assert_invariants, pay, plan, state
from tests.webhooks.stripe_sim import shapes

SECRET = "whsec_live_wallet_secret"
KEY = "sk_test_local_key"


def post_event(client, kind: str, obj: dict):
    payload = json.dumps(shapes().event(kind, obj))
    return client.post("/stripe/webhook", data=payload, content_type="application/json",
                       headers={"Stripe-Signature": sign(payload, SECRET)})  # fmt: skip


def test_live_top_up_checkout_credit_and_refund(make_app, stripe_api):
    app = make_app(PAYMENTS_MODE="live", STRIPE_SECRET_KEY=KEY, STRIPE_WEBHOOK_SECRET=SECRET,
                   STRIPE_API_BASE=stripe_api.base)  # fmt: skip
    member = factories.member()
    found = plan(50000, 5000)
    with app.test_request_context():
        started, url = payments.begin_topup(
            found.id, member.id, success_url=lambda i: f"http://127.0.0.1/wallet/?topup={i}",
            cancel_url="http://127.0.0.1/wallet/", now=utcnow(),
        )  # fmt: skip
        topup_id, session_id = started.id, started.checkout_session_id
    (call,) = stripe_api.stripe.calls("POST", "/v1/checkout/sessions")
    p = call.params
    assert p["mode"] == "payment"
    assert p["line_items[0][price_data][unit_amount]"] == "50000"
    assert p["line_items[0][price_data][currency]"] == "cny"
    assert p["metadata[wallet_topup_id]"] == str(topup_id)
    assert p["payment_intent_data[metadata][wallet_topup_id]"] == str(topup_id)
    assert p["success_url"] == f"http://127.0.0.1/wallet/?topup={topup_id}"
    assert call.headers["idempotency-key"] == f"payment-wallet-{topup_id}"
    assert url == f"https://checkout.stripe.com/c/pay/{session_id}"
    assert state(member.id)["principal"] == 0  # the return page credits nothing

    paid = {"status": "complete", "payment_status": "paid", "payment_intent": "pi_live1"}
    session = {**stripe_api.stripe.objects[session_id], **paid}
    client = app.test_client()
    assert post_event(client, "checkout.session.completed", session).get_json()["outcome"] == (
        "applied"
    )
    assert state(member.id)["principal"] == 50000
    pay(member.id, 11000)

    with app.app_context():
        payments.refund_topup(topup_id, actor=SystemActor(audit_label="owner"))
    (refund,) = stripe_api.stripe.calls("POST", "/v1/refunds")
    assert refund.params["payment_intent"] == "pi_live1"
    assert refund.params["amount"] == "40000"  # the unspent principal; the bonus is forfeited
    assert refund.headers["idempotency-key"] == f"wallet-topup-{topup_id}"
    db.session.expire_all()
    assert db.session.get(TopUp, topup_id).state == "refunding"

    charge = shapes().charge(charge_id="ch_live1", customer="cus_1", payment_intent="pi_live1",
                             amount=50000, amount_refunded=40000)  # fmt: skip
    assert post_event(client, "charge.refunded", charge).get_json()["outcome"] == "applied"
    db.session.expire_all()
    assert db.session.get(TopUp, topup_id).state == "refunded"
    assert assert_invariants(member.id)["principal"] == 0
