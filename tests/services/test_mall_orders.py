"""Redeeming, cancelling, handing over and shipping, on the real database and ledger."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from memberportal.audit.models import AuditEntry
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.mall import queries, services
from memberportal.mall.errors import (
    AlreadyHandedOver,
    InvalidAddress,
    LimitReached,
    NotCancellable,
    NotRedeemable,
    OutOfStock,
    PickupCodeUnknown,
    WrongOrderState,
)
from memberportal.mall.models import Order
from memberportal.mall.rules import Reason, ShippingAddress
from memberportal.points.errors import InsufficientPoints
from memberportal.points.models import LedgerEntry
from tests import factories
from tests.mall_helpers import ADDRESS, balance, order_count, redeem, rich_member, stock
from tests.points_helpers import ACTOR, assert_invariants, earn


def test_redeeming_a_pickup_item_spends_points_draws_stock_and_gives_a_code():
    member = rich_member(1000)
    item = factories.mall_item(points_price=300, stock=5)
    order = redeem(member.id, item.id, 2)
    assert (order.status, order.points_cost, order.quantity) == ("ready_for_pickup", 600, 2)
    assert len(order.pickup_code) == 8 and order.pickup_code.isdigit()
    assert balance(member.id) == 400 and stock(item.id) == 3
    assert_invariants(member.id)
    audit = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject_type == "mall_order")
    ).all()
    assert audit == ["mall.order_placed"]


def test_the_same_request_key_makes_one_order():
    member = rich_member(1000)
    item = factories.mall_item(points_price=100)
    first = redeem(member.id, item.id, key="k" * 20)
    again = redeem(member.id, item.id, key="k" * 20)
    assert first.id == again.id
    assert order_count() == 1 and balance(member.id) == 900 and stock(item.id) == 9


@pytest.mark.parametrize(
    ("setup", "error", "reason"),
    [
        ({"points_price": 5000}, InsufficientPoints, None),
        ({"stock": 0}, OutOfStock, Reason.SOLD_OUT),
        ({"min_tier": "VIP3"}, NotRedeemable, Reason.TIER_TOO_LOW),
        ({"paid_only": True}, NotRedeemable, Reason.PAID_CARD_NEEDED),
        ({"starts_in": timedelta(days=1)}, NotRedeemable, Reason.NOT_YET),
        ({"state": "withdrawn"}, NotRedeemable, Reason.NOT_ON_SALE),
    ],
)
def test_a_refused_redemption_changes_nothing(setup, error, reason):
    member = rich_member(1000)
    fields = {"points_price": 100, "stock": 3}
    if "min_tier" in setup:
        fields["min_tier_id"] = factories.tier(setup.pop("min_tier")).id
    if "starts_in" in setup:
        fields["sale_starts_at"] = utcnow() + setup.pop("starts_in")
    state = setup.pop("state", "on_sale")
    item = factories.mall_item(**{**fields, **setup}, state="draft")
    from memberportal.mall import catalog_services as catalog

    catalog.publish(item.id, actor=ACTOR, now=utcnow())
    if state == "withdrawn":
        catalog.withdraw(item.id, actor=ACTOR, now=utcnow())
    before = stock(item.id)
    with pytest.raises(error) as caught:
        redeem(member.id, item.id)
    if reason:
        assert caught.value.reason == reason
    assert order_count() == 0 and balance(member.id) == 1000 and stock(item.id) == before


def test_the_per_member_limit_holds_across_orders_and_is_freed_by_a_cancel():
    member = rich_member(1000)
    item = factories.mall_item(points_price=10, per_member_limit=2)
    first = redeem(member.id, item.id)
    redeem(member.id, item.id)
    with pytest.raises(LimitReached):
        redeem(member.id, item.id)
    services.cancel(first.id, actor=ACTOR, now=utcnow(), reason="changed mind")
    redeem(member.id, item.id)
    assert order_count(status="ready_for_pickup") == 2


def test_cancel_returns_stock_and_points_once():
    member = rich_member(1000)
    item = factories.mall_item(points_price=250, stock=4)
    order = redeem(member.id, item.id, 2)
    staff = factories.staff("cashier")
    services.cancel(order.id, actor=staff, now=utcnow(), reason="out of colour")
    again = services.cancel(order.id, actor=staff, now=utcnow(), reason="twice")
    assert again.status == "cancelled" and again.cancel_reason == "out of colour"
    assert balance(member.id) == 1000 and stock(item.id) == 4
    assert_invariants(member.id)
    cancels = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "mall.order_cancelled")
    ).all()
    assert len(cancels) == 1 and cancels[0].actor_label == staff.audit_label


def test_points_whose_lot_expired_meanwhile_come_back_expired():
    member = factories.member()
    now = utcnow()
    earn(member.id, 300, now=now - timedelta(days=1), days=2)  # expires tomorrow
    item = factories.mall_item(points_price=300)
    order = redeem(member.id, item.id, now=now)
    services.cancel(order.id, actor=ACTOR, now=now + timedelta(days=3), reason="late")
    assert balance(member.id) == 0 and stock(item.id) == 10
    lot = db.session.scalars(
        select(LedgerEntry).where(
            LedgerEntry.member_id == member.id, LedgerEntry.entry_type == "earn"
        )
    ).one()
    assert lot.remaining == 0
    assert_invariants(member.id)


def test_a_member_cancels_only_their_own_order():
    owner, other = rich_member(500), rich_member(500)
    order = redeem(owner.id, factories.mall_item().id)
    from memberportal.core.errors import NotFound

    with pytest.raises(NotFound):
        services.cancel(order.id, actor=other, now=utcnow(), reason="x", member_id=other.id)
    assert db.session.get(Order, order.id).status == "ready_for_pickup"


def test_hand_over_once_then_already_done_and_not_cancellable():
    member = rich_member(500)
    order = redeem(member.id, factories.mall_item().id)
    cashier = factories.staff("cashier")
    done = services.hand_over(
        f" {order.pickup_code[:4]} {order.pickup_code[4:]} ", actor=cashier, now=utcnow()
    )
    assert done.status == "fulfilled" and done.fulfilled_by == cashier.audit_label
    with pytest.raises(AlreadyHandedOver):
        services.hand_over(order.pickup_code, actor=cashier, now=utcnow())
    with pytest.raises(NotCancellable):
        services.cancel(order.id, actor=member, now=utcnow(), reason="x", member_id=member.id)
    with pytest.raises(PickupCodeUnknown):
        services.hand_over("12345678", actor=cashier, now=utcnow())
    assert balance(member.id) == 400


@pytest.mark.parametrize(
    ("shipping", "bad"),
    [
        (None, ["name", "phone", "address"]),
        (ShippingAddress("", "13800000000", "1 Road"), ["name"]),
        (ShippingAddress("Li", "13800000000", "Road\r\nX-Header: 1"), ["address"]),
        (ShippingAddress("Li", "not a phone", "1 Road"), ["phone"]),
    ],
)
def test_a_shipped_item_needs_a_valid_address_and_a_refusal_changes_nothing(shipping, bad):
    member = rich_member(2000)
    item = factories.mall_item(kind="shipped", points_price=1000, stock=3)
    with pytest.raises(InvalidAddress) as caught:
        redeem(member.id, item.id, shipping=shipping)
    assert caught.value.fields == bad
    assert order_count() == 0 and balance(member.id) == 2000 and stock(item.id) == 3


def test_the_address_is_stored_on_a_shipped_order_only():
    member = rich_member(2000)
    shipped = redeem(member.id, factories.mall_item(kind="shipped").id, shipping=ADDRESS)
    assert shipped.shipping == ADDRESS
    pickup = redeem(member.id, factories.mall_item().id, shipping=ADDRESS)
    assert pickup.shipping_address is None


def test_shipping_takes_carrier_and_tracking_then_delivery():
    member = rich_member(2000)
    item = factories.mall_item(kind="shipped", points_price=1000)
    order = redeem(member.id, item.id)
    assert order.status == "placed" and order.pickup_code is None
    staff = factories.staff("cashier")
    shipped = services.ship(order.id, "SF Express", "SF123456", actor=staff, now=utcnow())
    assert (shipped.status, shipped.tracking_no) == ("shipped", "SF123456")
    with pytest.raises(NotCancellable):
        services.cancel(order.id, actor=staff, now=utcnow(), reason="x")
    with pytest.raises(WrongOrderState):
        services.ship(order.id, "SF", "2", actor=staff, now=utcnow())
    assert services.mark_delivered(order.id, actor=staff, now=utcnow()).status == "fulfilled"


def test_each_virtual_code_goes_to_one_order_and_only_its_member_sees_it():
    alice, bob = rich_member(1000), rich_member(1000)
    item = factories.mall_item(kind="virtual_code", points_price=100, codes=["C-1", "C-2"])
    a = redeem(alice.id, item.id)
    b = redeem(bob.id, item.id)
    assert a.status == b.status == "fulfilled"
    assert queries.codes_for_member_order(alice.id, a.id) == ["C-1"]
    assert queries.codes_for_member_order(bob.id, b.id) == ["C-2"]
    assert queries.codes_for_member_order(bob.id, a.id) == []
    with pytest.raises(OutOfStock):
        redeem(alice.id, item.id)
    assert stock(item.id) == 0 and balance(alice.id) == 900


def test_points_plus_cash_holds_then_releases_after_thirty_minutes():
    member = rich_member(1000)
    item = factories.mall_item(points_price=300, cash_cents=1990, stock=2)
    now = utcnow()
    order = redeem(member.id, item.id, now=now)
    assert (order.status, order.cash_cents) == ("awaiting_payment", 1990)
    assert order.hold_expires_at == now + timedelta(minutes=30)
    assert balance(member.id) == 700 and stock(item.id) == 1
    with pytest.raises(WrongOrderState):
        services.hand_over(order.pickup_code, actor=ACTOR, now=now)
    assert services.release_expired(now=now + timedelta(minutes=29)) == []
    assert services.release_expired(now=now + timedelta(minutes=31)) == [order.id]
    assert balance(member.id) == 1000 and stock(item.id) == 2
    assert db.session.get(Order, order.id).status == "cancelled"


def test_release_expired_command(app):
    member = rich_member(1000)
    item = factories.mall_item(points_price=300, cash_cents=500)
    redeem(member.id, item.id, now=utcnow() - timedelta(hours=1))
    result = app.test_cli_runner().invoke(args=["mall", "release-expired"])
    assert result.exit_code == 0 and "Released 1 unpaid orders." in result.output
    assert balance(member.id) == 1000
