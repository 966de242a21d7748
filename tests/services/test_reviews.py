"""Reviewing a purchase: once, only one's own, not when refunded, growth within the cap."""

import pytest
from sqlalchemy import exc, func, select

from memberportal.audit.models import AuditEntry
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.services import update_program_rules
from memberportal.purchases.errors import UnknownPurchase
from memberportal.purchases.services import record_purchase, record_refund
from memberportal.reviews import queries
from memberportal.reviews.errors import (
    AlreadyReviewed,
    InvalidRating,
    PurchaseRefunded,
    ReviewTextLength,
)
from memberportal.reviews.models import Review
from memberportal.reviews.services import review_purchase
from memberportal.tiers.models import GrowthEntry
from tests import factories
from tests.points_helpers import ACTOR, T0

GOOD = "Friendly staff, fresh bread."


def bought(member_id: int, cents: int = 5000, ref: str = "R-1") -> int:
    return record_purchase(member_id, cents, ref, source="till", actor=ACTOR, now=T0).purchase_id


def member_row(member_id: int) -> Member:
    db.session.expire_all()
    return db.session.get(Member, member_id)


def review(member_id, purchase_id, rating=5, text=GOOD):
    return review_purchase(member_id, purchase_id, rating, text, actor=ACTOR, now=T0)


def review_count() -> int:
    return db.session.scalar(select(func.count(Review.id)))


def test_a_review_grants_the_configured_growth_once_per_purchase():
    m = factories.member()
    first, second = bought(m.id, ref="R-1"), bought(m.id, ref="R-2")
    result = review(m.id, first, 4, f"  {GOOD}\n")
    assert (result.growth, result.tier_changed) == (10, None)
    with pytest.raises(AlreadyReviewed) as again:
        review(m.id, first, 1, "Changed my mind entirely.")
    assert again.value.status == 422
    review(m.id, second)
    row = member_row(m.id)
    assert (row.growth_spend, row.growth_interaction, row.growth) == (100, 20, 120)
    stored = db.session.scalars(select(Review).order_by(Review.id)).all()
    assert [(r.rating, r.text, r.growth) for r in stored] == [(4, GOOD, 10), (5, GOOD, 10)]
    causes = db.session.scalars(
        select(GrowthEntry.cause).where(GrowthEntry.kind == "interaction")
    ).all()
    assert causes == ["review", "review"]
    audited = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action == "review.written")
    ).all()
    assert len(audited) == 2
    lines = queries.purchases_for_member(m.id)
    assert [line.review.rating for line in lines] == [5, 4]  # newest purchase first


def test_another_members_purchase_is_as_unknown_as_a_missing_one():
    owner, other = factories.member(), factories.member()
    purchase_id = bought(owner.id)
    for member_id, pid in ((other.id, purchase_id), (owner.id, purchase_id + 999)):
        with pytest.raises(UnknownPurchase) as refused:
            review(member_id, pid)
        assert refused.value.status == 404
    assert review_count() == 0 and member_row(other.id).growth_interaction == 0


def test_a_fully_refunded_purchase_cannot_be_reviewed_a_partly_refunded_one_can():
    m = factories.member()
    full, part = bought(m.id, 5000, "R-1"), bought(m.id, 5000, "R-2")
    record_refund(full, 5000, refund_ref="x1", actor=ACTOR, now=T0)
    record_refund(part, 1000, refund_ref="x2", actor=ACTOR, now=T0)
    with pytest.raises(PurchaseRefunded):
        review(m.id, full)
    assert review(m.id, part).growth == 10
    assert review_count() == 1


@pytest.mark.parametrize(
    ("rating", "text", "error"),
    [
        (0, GOOD, InvalidRating),
        (6, GOOD, InvalidRating),
        (True, GOOD, InvalidRating),
        (5, "   too short   ", ReviewTextLength),
        (5, "x" * 501, ReviewTextLength),
        (5, None, ReviewTextLength),
    ],
)
def test_bad_rating_or_text_is_refused_and_nothing_is_written(rating, text, error):
    m = factories.member()
    purchase_id = bought(m.id)
    with pytest.raises(error):
        review(m.id, purchase_id, rating, text)
    assert review_count() == 0 and member_row(m.id).growth_interaction == 0


def test_text_of_exactly_ten_and_five_hundred_characters_is_accepted():
    m = factories.member()
    review(m.id, bought(m.id, ref="R-1"), 3, " 好吃好吃好吃好吃好吃 ")
    review(m.id, bought(m.id, ref="R-2"), 3, "好" * 500)
    assert sorted(len(t) for t in db.session.scalars(select(Review.text))) == [10, 500]


def test_review_growth_counts_only_up_to_the_interaction_cap():
    update_program_rules(actor=ACTOR, now=T0, review_growth=100)
    m = factories.member()
    result = review(m.id, bought(m.id, 1000))
    row = member_row(m.id)
    # 100 recorded, but towards VIP2 (150) interactions count up to 40%: 60.
    assert (result.growth, result.tier_changed) == (100, None)
    assert (row.growth_spend, row.growth_interaction, row.growth, row.tier.code) == (
        10, 100, 70, "VIP1",
    )  # fmt: skip


def test_a_review_can_move_the_member_up():
    m = factories.member()
    result = review(m.id, bought(m.id, 14000))  # 140 spend + 10 = VIP2's 150
    assert str(result.tier_changed) == "VIP1->VIP2"
    assert member_row(m.id).tier.code == "VIP2"


def test_no_review_growth_configured_still_records_the_review():
    update_program_rules(actor=ACTOR, now=T0, review_growth=0)
    m = factories.member()
    purchase_id = bought(m.id)
    assert review(m.id, purchase_id).growth == 0
    assert member_row(m.id).growth_interaction == 0
    with pytest.raises(AlreadyReviewed):
        review(m.id, purchase_id)


@pytest.mark.parametrize(
    "values", [{"rating": 6}, {"text": "short"}, {"growth": -1}], ids=["rating", "text", "growth"]
)
def test_the_database_refuses_what_the_service_would(values):
    m = factories.member()
    row = {"member_id": m.id, "purchase_id": bought(m.id), "rating": 5, "text": GOOD}
    db.session.add(Review(**{**row, "growth": 0, "created_at": T0, **values}))
    with pytest.raises(exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
