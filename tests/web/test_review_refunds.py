"""The cashier refunds a reviewed purchase: the flash, the member's review and the staff list."""

import re

from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.purchases.services import record_purchase
from memberportal.reviews.services import review_purchase
from tests.points_helpers import ACTOR, T0

GOOD = "Friendly staff, fresh bread."


def english(*browsers):
    for browser in browsers:
        browser.client.set_cookie("lang", "en")


def reviewed(member_id: int, cents: int = 5000, ref: str = "R-1") -> int:
    purchase_id = record_purchase(
        member_id, cents, ref, source="till", actor=ACTOR, now=T0
    ).purchase_id
    review_purchase(member_id, purchase_id, 4, GOOD, actor=ACTOR, now=T0)
    return purchase_id


def refund(cashier, member_id: int, purchase_id: int, amount: str):
    page = f"/merchant/purchases/member/{member_id}"
    html = cashier.get(page).get_data(as_text=True)
    form = rf'/purchases/{purchase_id}/refund".*?name="request_key" value="(\w+)"'
    key = re.search(form, html, re.S)
    done = cashier.submit(
        f"/merchant/purchases/{purchase_id}/refund",
        {"amount": amount, "request_key": key.group(1), "reason": "returned", "confirmed": "yes"},
        page=page,
    )
    assert done.status_code == 303
    return cashier.get(done.location).get_data(as_text=True)


def growth(member_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Member, member_id).growth


def test_a_full_refund_at_the_desk_returns_the_review_growth(member_web, cashier_web, manager_web):
    english(member_web, cashier_web, manager_web)
    m = member_web.member
    kept = record_purchase(m.id, 3000, "R-0", source="till", actor=ACTOR, now=T0)
    purchase_id = reviewed(m.id)
    assert kept.growth_earned == 30 and growth(m.id) == 30 + 50 + 10
    page = refund(cashier_web, m.id, purchase_id, "50.00")
    assert (
        "Refund recorded: 50 points taken back, balance 30. "
        "Growth taken back: 60, of which 10 the member&#39;s review had earned." in page
    )
    assert growth(m.id) == 30
    mine = member_web.get("/purchases/").get_data(as_text=True)
    item = re.search(rf'id="purchase-{purchase_id}"(.*?)</li>', mine, re.S).group(1)
    assert f'data-testid="review-text">{GOOD}<' in item  # the review stays
    assert "Growth returned" in item
    assert "The purchase was refunded, so the 10 growth this review earned was taken back." in item
    assert mine.count("Growth returned") == 1  # the other purchase has no review
    staff = manager_web.get("/merchant/reviews/").get_data(as_text=True)
    cell = re.search(r'data-testid="review-growth">(.*?)</td>', staff, re.S).group(1)
    assert "<s>+10</s>" in cell and "Growth returned" in cell


def test_a_partial_refund_leaves_the_review_alone(member_web, cashier_web, manager_web):
    english(member_web, cashier_web, manager_web)
    m = member_web.member
    purchase_id = reviewed(m.id)
    page = refund(cashier_web, m.id, purchase_id, "20")
    assert "Refund recorded: 20 points taken back, balance 30." in page
    assert "Growth taken back" not in page
    assert growth(m.id) == 30 + 10
    assert "Growth returned" not in member_web.get("/purchases/").get_data(as_text=True)
    staff = manager_web.get("/merchant/reviews/").get_data(as_text=True)
    assert re.search(r'data-testid="review-growth">\+10</td>', staff)
