"""The till as a cashier uses it: scan, one checkout screen, confirm big amounts."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from memberportal.core.clock import utcnow
from memberportal.coupons import services as coupons
from memberportal.extensions import db
from memberportal.members.queries import card_code_for
from memberportal.purchases.models import Purchase
from tests import factories
from tests.coupon_helpers import coupons_of, move_to_tier, paid_card, template
from tests.points_helpers import state

EN = {"Accept-Language": "en"}


def card_member(tier="VIP3"):
    member = factories.member()
    move_to_tier(member.id, tier)
    now = utcnow()
    paid_card(member.id, now - timedelta(days=10), now + timedelta(days=355))
    return member


def give(member, **kw) -> int:
    db.session.refresh(member)
    made = template(tier_id=member.tier_id, **kw)
    coupons.issue_tier_coupons(member.id, utcnow())
    return next(c.id for c in coupons_of(member.id) if c.template_id == made.id)


def purchases() -> list[Purchase]:
    db.session.expire_all()
    return list(db.session.scalars(select(Purchase).order_by(Purchase.id)))


def checkout(web, member, amount, **extra):
    page = f"/merchant/purchases/member/{member.id}"
    html = web.get(page).get_data(as_text=True)
    ref = re.search(r'name="order_ref"[^>]*value="([^"]+)"', html).group(1)
    form = {"amount": amount, "order_ref": ref, "coupon": "0", **extra}
    return web.submit(page, form, headers=EN), ref


def test_scanning_a_card_opens_the_checkout_and_a_partial_number_lists(cashier_web):
    member = factories.member(contact="13900000555")
    opened = cashier_web.get(f"/merchant/purchases/till?q={card_code_for(member, utcnow()).code}")
    assert opened.status_code == 302
    assert opened.location.endswith(f"/merchant/purchases/member/{member.id}")
    listed = cashier_web.get("/merchant/purchases/till?q=1390000055").get_data(as_text=True)
    assert f"/merchant/purchases/member/{member.id}" in listed
    none = cashier_web.get("/merchant/purchases/till?q=nobody-here", headers=EN)
    assert "No member matches" in none.get_data(as_text=True)


def test_the_checkout_shows_the_discount_now_the_coupons_and_a_generated_order_ref(cashier_web):
    member = card_member("VIP3")
    coupon_id = give(member, name_en="30 off 199", amount_cents=3000, min_spend_cents=19900)
    html = cashier_web.get(f"/merchant/purchases/member/{member.id}", headers=EN).get_data(
        as_text=True
    )
    assert re.search(r'data-testid="checkout-discount">15% off now<', html)
    assert f'value="{coupon_id}"' in html and "30 off 199" in html
    assert re.search(r'name="order_ref"[^>]*value="T\d{8}-\d{6}-[0-9a-f]{4}"', html)
    (amount_box,) = re.findall(r'<input[^>]*id="amount"[^>]*>', html)
    assert "autofocus" in amount_box
    plain = factories.member()
    other = cashier_web.get(f"/merchant/purchases/member/{plain.id}", headers=EN)
    assert 'data-testid="checkout-no-card"' in other.get_data(as_text=True)


def test_the_quote_follows_the_typing(cashier_web):
    member = card_member("VIP3")
    coupon_id = give(member, amount_cents=3000, min_spend_cents=19900)
    page = f"/merchant/purchases/member/{member.id}"
    quote = cashier_web.submit(
        f"{page}/quote", {"amount": "300", "coupon": str(coupon_id)}, page=page,
        headers={**EN, "HX-Request": "true"},
    )  # fmt: skip
    html = quote.get_data(as_text=True)
    assert quote.status_code == 200 and "<html" not in html
    assert re.search(r'data-testid="quote-discount">−(CN)?¥45.00<', html)
    assert re.search(r'data-testid="quote-coupon">−(CN)?¥30.00<', html)
    assert re.search(r'data-testid="quote-paid"><strong>(CN)?¥225.00<', html)
    assert re.search(r'data-testid="quote-points">337<', html)
    assert purchases() == []


def test_one_confirm_discounts_writes_off_and_records(cashier_web):
    member = card_member("VIP3")
    coupon_id = give(member, amount_cents=3000, min_spend_cents=19900)
    done, ref = checkout(cashier_web, member, "300", coupon=str(coupon_id))
    assert done.status_code == 303
    receipt = cashier_web.get(done.location, headers=EN).get_data(as_text=True)
    receipt = receipt.replace("CN¥", "¥")
    assert "Paid ¥225.00 of ¥300.00." in receipt and "Card discount ¥45.00." in receipt
    assert "Coupon ¥30.00." in receipt and "337 points earned" in receipt
    (paid,) = purchases()
    assert (paid.amount_cents, paid.order_ref, paid.points_earned) == (22500, ref, 337)
    coupon = next(c for c in coupons_of(member.id) if c.id == coupon_id)
    assert (coupon.state, coupon.used_order_ref) == ("used", ref)
    assert state(member.id)["balance"] == 337


def test_a_coupon_below_its_minimum_is_refused_and_nothing_is_written(cashier_web):
    member = card_member("VIP1")
    coupon_id = give(member, amount_cents=3000, min_spend_cents=19900)
    refused, _ref = checkout(cashier_web, member, "200", coupon=str(coupon_id))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "minimum spend" in html
    assert purchases() == []
    assert next(c for c in coupons_of(member.id) if c.id == coupon_id).state == "issued"


def test_a_big_amount_asks_are_you_sure_first(cashier_web):
    member = factories.member()
    asked, ref = checkout(cashier_web, member, "6000")  # the default threshold is 5,000
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'data-testid="large-confirm"' in html
    assert "¥6,000.00 is above the big-purchase threshold" in html.replace("CN¥", "¥")
    assert purchases() == []
    page = f"/merchant/purchases/member/{member.id}"
    form = {"amount": "6000", "order_ref": ref, "coupon": "0", "confirm_large": "yes"}
    done = cashier_web.submit(page, form)
    assert done.status_code == 303 and [p.amount_cents for p in purchases()] == [600000]
    assert db.session.scalar(select(func.count()).select_from(Purchase)) == 1


def test_only_staff_reach_the_till(web, member_web):
    member = factories.member()
    assert web.get("/merchant/purchases/till").status_code in (302, 303, 401, 403)
    assert member_web.get(f"/merchant/purchases/member/{member.id}").status_code in (
        302, 303, 401, 403,
    )  # fmt: skip
