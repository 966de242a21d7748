"""Points + cash: the cash part paid through a payment-mode checkout, confirmed only by the
signed webhook; an expired checkout or a refund releases the stock and returns the points."""

from datetime import timedelta

from sqlalchemy import select

from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.mall import payments
from memberportal.mall.models import Order
from memberportal.memberships.models import StripeEvent
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
        from memberportal.memberships.gateway import get_gateway

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
        from memberportal.memberships.gateway import get_gateway

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


def test_a_member_cannot_cancel_a_paid_cash_order_themselves(member_web):
    from memberportal.mall import services
    from memberportal.mall.errors import NotCancellable

    order, _item = place_cash_order(member_web)
    page_url = start_demo_checkout(member_web, order)
    member_web.submit(f"{page_url}/pay", page=page_url)
    member = member_web.member
    try:
        services.cancel(order.id, actor=member, now=utcnow(), reason="x", member_id=member.id)
    except NotCancellable as error:
        assert "staff" in str(error.message) or "店员" in str(error.message)
    else:
        raise AssertionError("a paid order was cancelled without a refund")
    assert order_status(order.id) == "ready_for_pickup" and balance(member.id) == 700
