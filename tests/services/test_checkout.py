"""The till's checkout: the paid card's discount by tier, a coupon, what is paid and earned."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from memberportal.coupons.errors import CouponAlreadyUsed, SpendBelowThreshold
from memberportal.extensions import db
from memberportal.memberships.queries import active_benefits
from memberportal.purchases import services
from memberportal.purchases.errors import DuplicatePurchase
from memberportal.purchases.models import Purchase
from memberportal.purchases.rules import Bill, discount_cents, new_order_ref
from tests import factories
from tests.coupon_helpers import coupons_of, move_to_tier, paid_card, template
from tests.points_helpers import ACTOR, T0, state


def card_member(tier: str = "VIP3"):
    member = factories.member()
    move_to_tier(member.id, tier)
    paid_card(member.id, T0 - timedelta(days=10), T0 + timedelta(days=355))
    return member


def give(member, **kw) -> int:
    """A coupon of a new template for the member's tier, issued at T0 for 30 days."""
    from memberportal.coupons import services as coupons

    db.session.refresh(member)
    made = template(tier_id=member.tier_id, **kw)
    coupons.issue_tier_coupons(member.id, T0)
    return next(c.id for c in coupons_of(member.id) if c.template_id == made.id)


def purchases() -> int:
    return db.session.scalar(select(func.count()).select_from(Purchase))


def test_the_bill_rounds_the_discount_half_up_and_caps_the_coupon():
    assert discount_cents(30000, 1500) == 4500
    assert discount_cents(10, 500) == 1  # 0.5 fen rounds up
    assert discount_cents(9, 500) == 0
    bill = Bill(4000, 0, coupon_cents=5000)
    assert (bill.coupon_taken_cents, bill.paid_cents) == (4000, 0)
    assert new_order_ref(T0).startswith("T20260310-040000-") and len(new_order_ref(T0)) == 21


def test_the_tier_sets_the_paid_cards_discount_and_without_a_card_there_is_none():
    member = card_member("VIP3")
    assert active_benefits(member.id, T0).discount_bps == 1500  # 85折 beats the plan's 5%
    move_to_tier(member.id, "VIP1")
    assert active_benefits(member.id, T0).discount_bps == 500  # the plan's own 95折
    plain = factories.member()
    move_to_tier(plain.id, "VIP3")
    assert services.quote(plain.id, 30000, coupon_id=None, now=T0).bill.discount_cents == 0


def test_checkout_discounts_writes_the_coupon_off_and_records_what_was_paid():
    member = card_member("VIP3")
    coupon_id = give(member, name_zh="满199减30", amount_cents=3000, min_spend_cents=19900)
    planned = services.quote(member.id, 30000, coupon_id=coupon_id, now=T0)
    # 300.00 - 15% (45.00) = 255.00, reaches 199: - 30.00 = 225.00, at 1.5x points = 337
    assert (planned.bill.discount_cents, planned.bill.coupon_taken_cents) == (4500, 3000)
    assert (planned.bill.paid_cents, planned.points) == (22500, 337)
    result = services.checkout(member.id, 30000, "T-9", coupon_id=coupon_id, actor=ACTOR, now=T0)
    assert result.bill == planned.bill
    assert (result.purchase.points_earned, result.purchase.balance) == (337, 337)
    paid = db.session.scalars(select(Purchase)).one()
    assert (paid.amount_cents, paid.order_ref) == (22500, "T-9")
    (coupon,) = coupons_of(member.id)
    assert (coupon.state, coupon.used_on_cents, coupon.used_order_ref) == ("used", 25500, "T-9")


def test_a_refused_coupon_or_order_ref_writes_nothing():
    member = card_member("VIP1")
    coupon_id = give(member, amount_cents=3000, min_spend_cents=19900)
    # 200.00 - 5% = 190.00: below 199 after the discount, so the coupon is refused.
    assert services.quote(member.id, 20000, coupon_id=coupon_id, now=T0).coupon_problem == (
        "min_spend"
    )
    with pytest.raises(SpendBelowThreshold):
        services.checkout(member.id, 20000, "T-1", coupon_id=coupon_id, actor=ACTOR, now=T0)
    assert purchases() == 0 and coupons_of(member.id)[0].state == "issued"
    services.checkout(member.id, 5000, "T-2", coupon_id=None, actor=ACTOR, now=T0)
    with pytest.raises(DuplicatePurchase):
        services.checkout(member.id, 30000, "T-2", coupon_id=coupon_id, actor=ACTOR, now=T0)
    # The coupon's write-off was rolled back with the refused purchase.
    assert coupons_of(member.id)[0].state == "issued" and purchases() == 1
    assert state(member.id)["balance"] == 71  # 50.00 - 5% = 47.50 at 1.5x


def test_a_coupon_used_twice_and_a_coupon_paying_the_whole_order():
    member = factories.member()
    free = give(member, amount_cents=5000, min_spend_cents=0)
    result = services.checkout(member.id, 4000, "T-3", coupon_id=free, actor=ACTOR, now=T0)
    assert (result.bill.paid_cents, result.purchase) == (0, None)
    assert purchases() == 0 and coupons_of(member.id)[0].used_on_cents == 4000
    with pytest.raises(CouponAlreadyUsed):
        services.checkout(member.id, 9000, "T-4", coupon_id=free, actor=ACTOR, now=T0)
    assert purchases() == 0


def test_another_members_coupon_is_unknown_here():
    member, other = factories.member(), factories.member()
    theirs = give(other, amount_cents=800, min_spend_cents=0)
    assert services.quote(member.id, 9000, coupon_id=theirs, now=T0).coupon_problem == "unknown"
    from memberportal.coupons.errors import CouponUnknown

    with pytest.raises(CouponUnknown):
        services.checkout(member.id, 9000, "T-5", coupon_id=theirs, actor=ACTOR, now=T0)
    assert coupons_of(other.id)[0].state == "issued" and purchases() == 0
