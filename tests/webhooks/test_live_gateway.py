"""The live gateway through the real stripe library, against a local stand-in for Stripe's API
on 127.0.0.1: what the library sends (form fields, headers) and what the app makes of the
answers, shaped like Stripe's published samples."""

import json
import re
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from memberportal.extensions import db
from memberportal.memberships import rules, services
from memberportal.memberships.models import BillingRecord, Checkout, Plan
from memberportal.payments.gateway import LiveGateway
from memberportal.payments.stripe_events import sign
from tests import factories
from tests.conftest import Browser
from tests.webhooks.stripe_sim import count, membership, shapes

SECRET = "whsec_live_test_secret"
KEY = "sk_test_local_key"


@pytest.fixture
def priced(svip):
    db.session.execute(
        update(Plan)
        .where(Plan.id == svip.id)
        .values(stripe_price_id="price_svip", stripe_coupon_id="coupon_first_year")
    )
    db.session.commit()
    db.session.expire_all()
    return svip


def start(gateway, member, plan_code="SVIP"):
    claim = services.claim_checkout(member.id, plan_code)
    plan = claim.checkout.plan
    return claim.checkout, gateway.start_checkout(
        checkout=claim.checkout,
        plan=plan,
        email="a@example.com",
        success_url="http://127.0.0.1/membership/return",
        cancel_url="http://127.0.0.1/membership/",
    )


def test_checkout_session_request_and_answer(stripe_api, priced, payer):
    gateway = LiveGateway(KEY, api_base=stripe_api.base)
    before = time.time()
    checkout, (session_id, url) = start(gateway, payer)
    (call,) = stripe_api.stripe.calls("POST", "/v1/checkout/sessions")
    p = call.params
    assert p["mode"] == "subscription"
    assert p["line_items[0][price]"] == "price_svip" and p["line_items[0][quantity]"] == "1"
    assert p["discounts[0][coupon]"] == "coupon_first_year"  # the discounted first year
    assert p["metadata[member_id]"] == str(payer.id) and p["metadata[plan_code]"] == "SVIP"
    assert p["subscription_data[metadata][member_id]"] == str(payer.id)
    assert p["subscription_data[metadata][plan_code]"] == "SVIP"
    assert p["client_reference_id"] == str(payer.id) and p["customer_email"] == "a@example.com"
    assert p["success_url"].endswith("/membership/return?session_id={CHECKOUT_SESSION_ID}")
    assert 31 * 60 <= int(p["expires_at"]) - int(before) <= 31 * 60 + 5
    assert call.headers["idempotency-key"] == f"checkout-{checkout.id}"
    assert call.headers["authorization"] == f"Bearer {KEY}"
    assert call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert call.headers["stripe-version"]
    assert session_id == stripe_api.stripe.objects[session_id]["id"]
    assert url == f"https://checkout.stripe.com/c/pay/{session_id}"


def test_a_plan_without_a_first_period_price_sends_no_coupon(stripe_api, priced, payer):
    db.session.execute(
        update(Plan).where(Plan.id == priced.id).values(first_period_price_cents=None)
    )
    db.session.commit()
    start(LiveGateway(KEY, api_base=stripe_api.base), payer)
    (call,) = stripe_api.stripe.calls("POST", "/v1/checkout/sessions")
    assert not any(key.startswith("discounts") for key in call.params)


def test_subscription_and_invoice_answers_are_parsed(stripe_api, priced, payer):
    gateway = LiveGateway(KEY, api_base=stripe_api.base)
    start_ts, end_ts = 1_767_225_600, 1_798_761_600  # 2026-01-01 .. 2027-01-01 UTC
    sub, invoice, intent = stripe_api.stripe.add_paid_subscription(
        member_id=payer.id, plan_code="SVIP", start=start_ts, end=end_ts
    )
    state = rules.subscription_state(gateway.fetch_subscription(sub["id"]))
    assert state.status == "active" and state.member_id == payer.id and state.plan_code == "SVIP"
    assert state.period_end == datetime(2027, 1, 1, tzinfo=UTC)
    assert state.renewal_amount_cents == 19900 and state.customer_id == sub["customer"]
    assert gateway.fetch_subscription("sub_missing") is None

    paid = gateway.invoice_for_payment_intent(intent)
    assert paid["id"] == invoice["id"] and paid["amount_paid"] == 9900
    assert rules.invoice_subscription_id(paid) == sub["id"]
    assert rules.invoice_period(paid)[1] == datetime(2027, 1, 1, tzinfo=UTC)
    (call,) = stripe_api.stripe.calls("GET", "/v1/invoice_payments")
    assert call.params["payment[type]"] == "payment_intent"
    assert call.params["payment[payment_intent]"] == intent
    assert call.params["expand[0]"] == "data.invoice"
    assert gateway.invoice_for_payment_intent("pi_unknown") is None


# --- the whole live path: join, webhooks, cancel through the API -----------------------------


@pytest.fixture
def live(make_app, stripe_api, priced):
    app = make_app(
        PAYMENTS_MODE="live",
        STRIPE_SECRET_KEY=KEY,
        STRIPE_WEBHOOK_SECRET=SECRET,
        STRIPE_API_BASE=stripe_api.base,
    )
    member = factories.member(contact="13900000077", password=factories.PASSWORD)
    browser = Browser(app.test_client())
    browser.submit("/login", {"contact": "13900000077", "password": factories.PASSWORD})
    browser.member = member
    return browser


def deliver(browser, kind, obj):
    payload = json.dumps(shapes().event(kind, obj))
    response = browser.client.post(
        "/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": sign(payload, SECRET)},
        content_type="application/json",
    )
    assert response.status_code == 200
    return response.get_json()["outcome"]


def page(browser, url="/membership/"):
    return browser.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_live_join_webhooks_and_cancel_at_period_end(live, stripe_api):
    fake = stripe_api.stripe
    joined = live.submit("/membership/join/SVIP", page="/membership/")
    assert joined.status_code == 303
    session_id = re.fullmatch(r"https://checkout\.stripe\.com/c/pay/(cs_\w+)", joined.location)[1]
    assert count(Checkout, Checkout.session_id == session_id, Checkout.state == "open") == 1

    # The member paid on Stripe's page; Stripe now holds the subscription and sends events.
    now = int(time.time())
    sub, invoice, intent = fake.add_paid_subscription(
        member_id=live.member.id, plan_code="SVIP", start=now, end=now + 365 * 86400
    )
    session = dict(fake.objects[session_id], status="complete", payment_status="paid")
    session.update(customer=sub["customer"], subscription=sub["id"], url=None)
    assert deliver(live, "checkout.session.completed", session) == "applied"
    assert deliver(live, "invoice.paid", invoice) == "applied"
    assert fake.calls("GET", f"/v1/subscriptions/{sub['id']}")  # decided from Stripe's state
    assert membership(sub["id"]).status == "active"
    html = page(live)
    until = re.search(r'data-testid="paid-until">([\d-]+)<', html)[1]
    assert "CN¥199.00 on " + until in html

    # Cancel at period end: the app asks Stripe; the membership changes with the webhook.
    assert live.submit("/membership/cancel", page="/membership/").status_code == 303
    (call,) = fake.calls("POST", f"/v1/subscriptions/{sub['id']}")
    assert call.params == {"cancel_at_period_end": "true"}
    assert call.headers["idempotency-key"] == f"cancel-{sub['id']}"
    assert not membership(sub["id"]).cancel_at_period_end
    assert deliver(live, "customer.subscription.updated", fake.objects[sub["id"]]) == "applied"
    m = membership(sub["id"])
    assert m.status == "active" and m.cancel_at_period_end
    assert f"Ends on {until}" in page(live)

    # A full refund: the charge names its payment intent; the invoice comes from the API.
    charge = shapes().charge(
        charge_id="ch_live1",
        customer=sub["customer"],
        payment_intent=intent,
        amount=9900,
        amount_refunded=9900,
    )
    assert deliver(live, "charge.refunded", charge) == "applied"
    assert membership(sub["id"]).status == "revoked"
    db.session.expire_all()
    assert db.session.scalars(
        select(BillingRecord.amount_cents).where(BillingRecord.kind == "refund")
    ).all() == [9900]


def test_a_returning_member_gets_no_first_period_coupon(stripe_api, priced, payer):
    gateway = LiveGateway(KEY, api_base=stripe_api.base)
    claim = services.claim_checkout(payer.id, "SVIP")
    gateway.start_checkout(
        checkout=claim.checkout,
        plan=claim.checkout.plan,
        email=None,
        success_url="http://127.0.0.1/membership/return",
        cancel_url="http://127.0.0.1/membership/",
        first_period_discount=False,
    )
    (call,) = stripe_api.stripe.calls("POST", "/v1/checkout/sessions")
    assert not any(key.startswith("discounts") for key in call.params)
