"""Points + cash: the cash part paid through a payment-mode checkout, confirmed only by the
signed webhook; an expired checkout or a refund releases the stock and returns the points."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from memberportal.audit.models import AuditEntry
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.mall import payments
from memberportal.mall.models import MallRefund, Order
from memberportal.payments.models import StripeEvent
from tests import factories
from tests.mall_helpers import balance, redeem, stock
from tests.points_helpers import earn
from tests.webhooks.stripe_sim import Sim


def order_status(order_id):
    db.session.expire_all()
    return db.session.get(Order, order_id).status


def place_cash_order(member_web, cash_cents=1990):
    earn(member_web.member.id, 1000)
    item = factories.mall_item(points_price=300, cash_cents=cash_cents, stock=2)
    order = redeem(member_web.member.id, item.id)
    assert order.status == "awaiting_payment"
    return order, item


def start_demo_checkout(member_web, order):
    url = f"/mall/orders/{order.id}"
    response = member_web.submit(f"{url}/pay", page=url)
    assert response.status_code == 303 and "/mall/demo-payment/" in response.location
    return response.location


def test_paying_the_demo_checkout_confirms_through_the_webhook(member_web, app):
    order, item = place_cash_order(member_web)
    assert balance(member_web.member.id) == 700 and stock(item.id) == 1
    page_url = start_demo_checkout(member_web, order)
    page = member_web.get(page_url).get_data(as_text=True)
    assert "19.90" in page
    session_id = page_url.rsplit("/", 1)[1]
    response = member_web.submit(f"{page_url}/pay", page=page_url)
    assert response.status_code == 303
    assert order_status(order.id) == "ready_for_pickup"
    paid = db.session.get(Order, order.id)
    assert paid.paid_at is not None and paid.payment_intent_id.startswith("pi_")
    event = db.session.scalars(
        select(StripeEvent).where(StripeEvent.type == "checkout.session.completed")
    ).one()
    assert event.outcome == "applied"
    assert balance(member_web.member.id) == 700
    # Expiry of that (completed) checkout, or the sweep, no longer touch a paid order.
    assert payments.is_mall_event(event.payload)
    from memberportal.mall import services

    assert services.release_expired(now=utcnow() + timedelta(hours=1)) == []
    assert order_status(order.id) == "ready_for_pickup"
    # Stripe expiring that completed checkout later changes nothing either.
    with app.test_request_context():
        from memberportal.payments.gateway import get_gateway

        get_gateway().expire_payment(session_id)
    assert order_status(order.id) == "ready_for_pickup" and balance(member_web.member.id) == 700


def test_abandoning_the_checkout_releases_the_hold(member_web):
    order, item = place_cash_order(member_web)
    page_url = start_demo_checkout(member_web, order)
    member_web.submit(f"{page_url}/abandon", page=page_url)
    assert order_status(order.id) == "cancelled"
    assert balance(member_web.member.id) == 1000 and stock(item.id) == 2


def test_a_refund_of_the_cash_part_cancels_and_returns_the_points(member_web, app):
    order, item = place_cash_order(member_web)
    page_url = start_demo_checkout(member_web, order)
    member_web.submit(f"{page_url}/pay", page=page_url)
    assert order_status(order.id) == "ready_for_pickup"
    paid = db.session.get(Order, order.id)
    with app.test_request_context():
        from memberportal.payments.gateway import get_gateway

        get_gateway().refund_payment(paid.payment_intent_id)
    assert order_status(order.id) == "cancelled"
    assert balance(member_web.member.id) == 1000 and stock(item.id) == 2


def test_a_replayed_or_forged_event_changes_nothing(client, member_web):
    order, item = place_cash_order(member_web)
    sim = Sim(client, collect=True)
    session = sim.shapes.payment_session(
        session_id="cs_test_mall1",
        amount_total=1990,
        metadata={"mall_order_id": str(order.id), "member_id": str(member_web.member.id)},
    )
    sim.put("checkout.session", session)
    payments._attach_session(order.id, "cs_test_mall1")
    sim.pay_payment("cs_test_mall1")
    payload = sim.collected[0]
    assert sim.post(payload, header="t=1,v1=forged")[0] == 400
    assert order_status(order.id) == "awaiting_payment"
    assert sim.post(payload)[1]["outcome"] == "applied"
    assert sim.post(payload)[1]["outcome"] == "duplicate"
    assert order_status(order.id) == "ready_for_pickup" and balance(member_web.member.id) == 700


def test_a_wrong_amount_is_kept_unmatched(client, member_web):
    order, _item = place_cash_order(member_web)
    sim = Sim(client)
    session = sim.shapes.payment_session(
        session_id="cs_test_mall2", amount_total=1, metadata={"mall_order_id": str(order.id)}
    )
    sim.put("checkout.session", session)
    payments._attach_session(order.id, "cs_test_mall2")
    sim.pay_payment("cs_test_mall2")
    assert sim.responses[-1][1]["outcome"] == "unmatched"
    assert order_status(order.id) == "awaiting_payment"


def test_paid_only_items_follow_the_paid_card_at_the_moment_of_redemption(sim, payer):
    from memberportal.mall.errors import NotRedeemable

    earn(payer.id, 1000)
    item = factories.mall_item(points_price=100, paid_only=True)
    try:
        redeem(payer.id, item.id)
    except NotRedeemable as error:
        assert error.reason.value == "paid_card_needed"
    else:
        raise AssertionError("redeemed without a paid card")
    sim.subscribe(payer)
    assert redeem(payer.id, item.id).status == "ready_for_pickup"
    assert balance(payer.id) == 900


def pay_demo(member_web, order):
    page_url = start_demo_checkout(member_web, order)
    member_web.submit(f"{page_url}/pay", page=page_url)
    return page_url.rsplit("/", 1)[1]


def refunds_of(order_id):
    db.session.expire_all()
    return db.session.scalars(select(MallRefund).where(MallRefund.order_id == order_id)).all()


def audits(action, order_id):
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == action, AuditEntry.subject_id == order_id)
    ).all()


def redeliver(client, event_type, *, same_id=False):
    """Send the stored event again: the same delivery, or the same refund under a new id."""
    stored = db.session.scalars(
        select(StripeEvent).where(StripeEvent.type == event_type).order_by(StripeEvent.received_at)
    ).first()
    event = dict(stored.payload)
    if not same_id:
        event["id"] = f"{event['id']}_again"
    return Sim(client).post(json.dumps(event))[1]["outcome"]


def test_a_member_cancels_a_paid_cash_order_and_the_cash_is_refunded_once(member_web, client):
    order, item = place_cash_order(member_web)
    pay_demo(member_web, order)
    assert order_status(order.id) == "ready_for_pickup"
    url = f"/mall/orders/{order.id}"
    response = member_web.submit(f"{url}/cancel", page=url)
    assert response.status_code == 303
    page = member_web.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Cancelled" in page and 'data-testid="points-balance">1,000<' in page
    assert "19.90 · Refunded" in page
    [refund] = refunds_of(order.id)
    assert refund.state == "refunded" and refund.amount_cents == 1990
    assert refund.refund_id.startswith("re_") and refund.payment_intent_id.startswith("pi_")
    event = db.session.scalars(
        select(StripeEvent).where(StripeEvent.type == "charge.refunded")
    ).one()
    assert event.outcome == "applied"
    # The refund webhook again (same delivery, then the same refund under a new event id).
    assert redeliver(client, "charge.refunded", same_id=True) == "duplicate"
    assert redeliver(client, "charge.refunded") == "no_change"
    assert balance(member_web.member.id) == 1000 and stock(item.id) == 2
    assert len(audits("mall.order_cancelled", order.id)) == 1
    assert len(audits("mall.refund_confirmed", order.id)) == 1


def test_staff_cancel_of_a_paid_order_refunds_through_the_gateway(member_web, cashier_web):
    order, item = place_cash_order(member_web)
    pay_demo(member_web, order)
    url = f"/merchant/mall/orders/{order.id}"
    response = cashier_web.submit(f"{url}/cancel", {"reason": "out of stock in store"}, page=url)
    assert response.status_code == 303
    page = cashier_web.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Cancelled" in page and "19.90 · Refunded" in page
    assert [r.state for r in refunds_of(order.id)] == ["refunded"]
    assert order_status(order.id) == "cancelled"
    assert db.session.get(Order, order.id).cancel_reason == "out of stock in store"
    assert balance(member_web.member.id) == 1000 and stock(item.id) == 2


def test_a_failed_refund_request_stays_owed_until_the_sweep(member_web, app, monkeypatch):
    from memberportal.mall import services
    from memberportal.payments.gateway import get_gateway

    order, _item = place_cash_order(member_web)
    pay_demo(member_web, order)
    gateway = get_gateway()

    def offline(*args, **kwargs):
        raise ConnectionError("processor unreachable")

    staff = factories.staff("cashier")
    services.cancel(order.id, actor=staff, now=utcnow(), reason="damaged")
    with monkeypatch.context() as patched:
        patched.setattr(gateway, "refund_payment", offline)
        assert payments.refunds.send_owed(order.id, now=utcnow()) == (0, 1)
    [refund] = refunds_of(order.id)
    assert refund.state == "owed" and refund.attempts == 1
    assert "unreachable" in refund.last_error
    assert balance(member_web.member.id) == 1000  # the points came back with the cancel
    result = app.test_cli_runner().invoke(args=["mall", "release-expired"])
    assert "Refunds requested: 1, failed (retried next run): 0." in result.output
    assert [r.state for r in refunds_of(order.id)] == ["refunded"]
    assert len(audits("mall.refund_failed", order.id)) == 1


def test_a_payment_after_the_hold_was_released_is_refunded_automatically(member_web, client, app):
    from memberportal.mall import services

    order, item = place_cash_order(member_web)
    page_url = start_demo_checkout(member_web, order)
    assert services.release_expired(now=utcnow() + timedelta(minutes=31)) == [order.id]
    assert balance(member_web.member.id) == 1000 and stock(item.id) == 2
    member_web.submit(f"{page_url}/pay", page=page_url)  # the member pays anyway
    assert order_status(order.id) == "cancelled"
    [refund] = refunds_of(order.id)
    assert refund.state == "refunded" and refund.amount_cents == 1990
    assert refund.reason == "paid after the hold was released"
    completed = db.session.scalars(
        select(StripeEvent).where(StripeEvent.type == "checkout.session.completed")
    ).one()
    assert completed.outcome == "applied" and "refund owed" in completed.note
    # The late payment's events again: nothing is owed or returned twice.
    assert redeliver(client, "checkout.session.completed") == "no_change"
    assert redeliver(client, "charge.refunded") == "no_change"
    assert len(refunds_of(order.id)) == 1
    assert balance(member_web.member.id) == 1000 and stock(item.id) == 2
    assert len(audits("mall.order_cancelled", order.id)) == 1


@pytest.mark.parametrize("already_refunded", [False, True])
def test_the_live_gateway_refunds_the_payment_intent_with_an_idempotency_key(already_refunded):
    import stripe

    from memberportal.payments.gateway import LiveGateway

    calls = []

    class Refunds:
        def create(self, params, options):
            calls.append((params, options))
            if already_refunded:
                raise stripe.InvalidRequestError(
                    "Charge has already been refunded.", "charge", code="charge_already_refunded"
                )
            return type("MallRefund", (), {"id": "re_123"})()

    gateway = LiveGateway("sk_test_x")
    gateway.client = type("C", (), {"v1": type("V1", (), {"refunds": Refunds()})()})()
    answer = gateway.refund_payment(
        "pi_1", amount_cents=1990, idempotency_key="mall-refund-7", metadata={"mall_order_id": "3"}
    )
    assert answer == (None if already_refunded else "re_123")
    assert calls == [
        (
            {"payment_intent": "pi_1", "amount": 1990, "metadata": {"mall_order_id": "3"}},
            {"idempotency_key": "mall-refund-7"},
        )
    ]
