"""Purchases and reviews as a member and as staff see them."""

import re

from sqlalchemy import func, select

from memberportal.audit.models import AuditEntry
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.services import program_rules
from memberportal.purchases.services import record_purchase, record_refund
from memberportal.reviews.models import Review
from memberportal.reviews.services import review_purchase
from tests import factories
from tests.conftest import csrf_from
from tests.points_helpers import ACTOR, T0

HX = {"HX-Request": "true"}
GOOD = "Friendly staff, fresh bread."


def english(browser):
    browser.client.set_cookie("lang", "en")
    return browser


def bought(member_id, cents=5000, ref="R-1", store="Jing'an store"):
    return record_purchase(
        member_id, cents, ref, source="till", store=store, actor=ACTOR, now=T0
    ).purchase_id


def reviews_written() -> int:
    return db.session.scalar(select(func.count(Review.id)))


def growth_of(member_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Member, member_id).growth_interaction


def test_member_lists_purchases_and_reviews_one_without_javascript(member_web):
    web = english(member_web)
    purchase_id = bought(web.member.id)
    card = web.get("/card").get_data(as_text=True)
    assert 'href="/purchases/"' in card and "My purchases" in card
    page = web.get("/purchases/").get_data(as_text=True)
    # T0 is 12:00 on 10 March in Shanghai.
    assert "CN¥50.00" in page and "2026-03-10" in page and "50 points earned" in page
    assert "Jing&#39;an store" in page
    assert f'href="/purchases/{purchase_id}/review"' in page
    form = web.get(f"/purchases/{purchase_id}/review").get_data(as_text=True)
    assert "Purchase of CN¥50.00 on 2026-03-10" in form and 'name="csrf_token"' in form
    done = web.submit(f"/purchases/{purchase_id}/review", {"rating": "4", "text": f" {GOOD} "})
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"/purchases/#purchase-{purchase_id}")
    page = web.get("/purchases/").get_data(as_text=True)
    assert "Review posted: +10 growth." in page
    assert 'data-testid="review-rating" aria-label="4 of 5 stars">★★★★☆<' in page
    assert f'data-testid="review-text">{GOOD}<' in page
    assert 'data-testid="write-review"' not in page
    assert growth_of(web.member.id) == 10
    # The form again: back to the list; a second post says it was already reviewed.
    assert web.get(f"/purchases/{purchase_id}/review").status_code == 303
    token = csrf_from(web.get("/card").get_data(as_text=True))
    again = web.client.post(
        f"/purchases/{purchase_id}/review",
        data={"csrf_token": token, "rating": "1", "text": "Another opinion entirely."},
    )
    assert again.status_code == 422
    assert "You have already reviewed this purchase." in again.get_data(as_text=True)
    assert reviews_written() == 1 and growth_of(web.member.id) == 10


def test_validation_messages_show_on_their_field_and_nothing_is_written(member_web):
    web = english(member_web)
    url = f"/purchases/{bought(web.member.id)}/review"
    empty = web.submit(url, {"text": ""})
    body = empty.get_data(as_text=True)
    assert empty.status_code == 422
    assert "Choose from 1 to 5 stars." in body and "Write between 10 and 500 characters." in body
    short = web.submit(url, {"rating": "5", "text": "   too short  "})
    body = short.get_data(as_text=True)
    assert short.status_code == 422 and "Write between 10 and 500 characters." in body
    assert 'aria-invalid="true"' in body and "Choose from 1 to 5 stars." not in body
    assert web.submit(url, {"rating": "9", "text": GOOD}).status_code == 422
    assert reviews_written() == 0 and growth_of(web.member.id) == 0


def test_review_with_htmx_swaps_errors_in_place_then_redirects(member_web):
    web = english(member_web)
    url = f"/purchases/{bought(web.member.id)}/review"
    token = csrf_from(web.get(url).get_data(as_text=True))
    bad = web.client.post(url, data={"csrf_token": token, "rating": "3"}, headers=HX)
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "<html" not in body
    assert 'id="review-form"' in body and "Write between 10 and 500 characters." in body
    good = web.client.post(url, data={"csrf_token": token, "rating": "3", "text": GOOD}, headers=HX)
    assert good.status_code == 204 and good.headers["HX-Redirect"].startswith("/purchases/")
    assert "Review posted: +10 growth." in web.get("/purchases/").get_data(as_text=True)


def test_a_review_that_moves_the_member_up_says_so(member_web):
    web = english(member_web)
    url = f"/purchases/{bought(web.member.id, 14000)}/review"
    web.submit(url, {"rating": "5", "text": GOOD})
    assert "Review posted: +10 growth. You moved up to VIP2!" in web.get("/purchases/").get_data(
        as_text=True
    )


def test_a_member_cannot_see_or_review_another_members_purchase(member_web):
    other = factories.member(contact="13900007001")
    theirs = bought(other.id, 7700, "THEIRS", store="Secret store")
    page = member_web.get("/purchases/").get_data(as_text=True)
    assert "¥77.00" not in page and "Secret store" not in page
    assert member_web.get(f"/purchases/{theirs}/review").status_code == 404
    token = csrf_from(member_web.get("/card").get_data(as_text=True))
    post = member_web.client.post(
        f"/purchases/{theirs}/review", data={"csrf_token": token, "rating": "1", "text": GOOD}
    )
    assert post.status_code == 404 and "Secret store" not in post.get_data(as_text=True)
    assert reviews_written() == 0 and growth_of(other.id) == 0


def test_a_fully_refunded_purchase_offers_no_review(member_web):
    web = english(member_web)
    purchase_id = bought(web.member.id)
    record_refund(purchase_id, 5000, refund_ref="x", actor=ACTOR, now=T0)
    page = web.get("/purchases/").get_data(as_text=True)
    assert "Refunded" in page and 'data-testid="write-review"' not in page
    refused = web.submit(f"/purchases/{purchase_id}/review", {"rating": "5", "text": GOOD})
    assert refused.status_code == 422
    assert "This purchase was refunded, so it cannot be reviewed." in refused.get_data(as_text=True)
    assert reviews_written() == 0


def test_the_review_form_needs_the_csrf_token(member_web):
    purchase_id = bought(member_web.member.id)
    response = member_web.client.post(
        f"/purchases/{purchase_id}/review", data={"rating": "5", "text": GOOD}
    )
    assert response.status_code in (400, 422) and reviews_written() == 0


def test_managers_and_the_owner_read_the_latest_reviews(manager_web, owner_web, cashier_web):
    m = factories.member()
    review_purchase(m.id, bought(m.id), 2, "Queue was far too long.", actor=ACTOR, now=T0)
    for staff in (manager_web, owner_web):
        page = staff.get("/merchant/reviews/").get_data(as_text=True)
        row = re.search(r'data-testid="review-row">(.*?)</tr>', page, re.S).group(1)
        assert m.member_no in row and "★★<" in row and "Queue was far too long." in row
        assert 'href="/merchant/reviews/"' in page  # in the merchant nav
    assert cashier_web.get("/merchant/reviews/").status_code == 403
    assert 'href="/merchant/reviews/"' not in cashier_web.get("/merchant/").get_data(as_text=True)


def test_owner_sets_the_review_growth_and_it_is_audited(owner_web, member_web):
    page = owner_web.get("/merchant/points/rules").get_data(as_text=True)
    assert 'name="review_growth"' in page and 'value="10"' in page
    form = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', page))
    form.pop("csrf_token")
    form.update(expiry_policy="rolling", member_day="")
    refused = owner_web.submit("/merchant/points/rules", {**form, "review_growth": "-5"})
    assert refused.status_code == 422 and program_rules().review_growth == 10
    assert (
        owner_web.submit("/merchant/points/rules", {**form, "review_growth": "25"}).status_code
        == 303
    )
    db.session.expire_all()
    db.session.info.pop("program_rules", None)
    assert program_rules().review_growth == 25
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "points.rules_changed")
    ).one()
    assert "review_growth" in str(entry.details)
    web = english(member_web)
    web.submit(f"/purchases/{bought(web.member.id)}/review", {"rating": "5", "text": GOOD})
    assert "Review posted: +25 growth." in web.get("/purchases/").get_data(as_text=True)
