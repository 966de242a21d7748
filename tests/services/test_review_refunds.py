"""A full refund takes back the growth its purchase's review earned: once, never a tier."""

from datetime import date, timedelta

import pytest
from sqlalchemy import exc, func, select

from memberportal.audit.models import AuditEntry
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.services import update_program_rules
from memberportal.purchases.models import Refund
from memberportal.purchases.services import record_purchase, record_refund
from memberportal.reviews import services as reviews
from memberportal.reviews.models import Review
from memberportal.tiers import interactions
from memberportal.tiers.models import GrowthEntry, TierChange
from tests import factories
from tests.points_helpers import ACTOR, T0

T1 = T0 + timedelta(days=1)
GOOD = "Friendly staff, fresh bread."


def bought(member_id: int, cents: int = 5000, ref: str = "R-1") -> int:
    return record_purchase(member_id, cents, ref, source="till", actor=ACTOR, now=T0).purchase_id


def reviewed(member_id: int, purchase_id: int) -> Review:
    result = reviews.review_purchase(member_id, purchase_id, 5, GOOD, actor=ACTOR, now=T0)
    return db.session.get(Review, result.review_id)


def refund(purchase_id: int, cents: int, ref: str):
    return record_refund(purchase_id, cents, refund_ref=ref, actor=ACTOR, now=T1)


def standing(member_id: int) -> tuple[int, int, int, str]:
    db.session.expire_all()
    m = db.session.get(Member, member_id)
    return m.growth_spend, m.growth_interaction, m.growth, m.tier.code


def returned_entries(member_id: int) -> list[tuple[int, str, int]]:
    return db.session.execute(
        select(GrowthEntry.amount, GrowthEntry.source_type, GrowthEntry.source_id).where(
            GrowthEntry.member_id == member_id, GrowthEntry.cause == "review_returned"
        )
    ).all()


def audited(action: str) -> list[dict]:
    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
    return [row.details for row in rows]


def test_a_full_refund_takes_back_the_purchase_and_review_growth():
    m = factories.member()
    purchase_id = bought(m.id)
    review = reviewed(m.id, purchase_id)
    assert standing(m.id) == (50, 10, 60, "VIP1")
    result = refund(purchase_id, 5000, "all")
    assert (result.growth_taken, result.review_growth_taken, result.growth_lost) == (50, 10, 60)
    assert standing(m.id) == (0, 0, 0, "VIP1")
    db.session.expire_all()
    review = db.session.get(Review, review.id)  # still there, marked
    assert (review.text, review.growth, review.growth_returned) == (GOOD, 10, True)
    assert (review.growth_returned_at, review.returned_by_refund_id) == (T1, result.refund_id)
    assert returned_entries(m.id) == [(-10, "review", review.id)]
    [details] = audited("review.growth_returned")
    assert details["growth"] == 10 and details["refund_id"] == result.refund_id
    assert details["purchase_id"] == purchase_id and details["review_id"] == review.id
    # The refund row keeps the purchase's own share; the review's part is on the review.
    assert db.session.get(Refund, result.refund_id).growth_taken == 50


def test_two_partial_refunds_take_the_review_growth_with_the_last_one_only():
    m = factories.member()
    purchase_id = bought(m.id)
    review = reviewed(m.id, purchase_id)
    first = refund(purchase_id, 2000, "part-1")
    assert (first.growth_taken, first.review_growth_taken) == (20, 0)
    assert standing(m.id) == (30, 10, 40, "VIP1")
    db.session.expire_all()
    assert db.session.get(Review, review.id).growth_returned is False
    assert returned_entries(m.id) == []
    last = refund(purchase_id, 3000, "part-2")
    assert (last.growth_taken, last.review_growth_taken, last.growth_lost) == (30, 10, 40)
    assert standing(m.id) == (0, 0, 0, "VIP1")
    db.session.expire_all()
    assert db.session.get(Review, review.id).returned_by_refund_id == last.refund_id
    assert len(audited("review.growth_returned")) == 1


def test_capped_review_growth_comes_off_as_it_counted_other_interactions_stay():
    update_program_rules(actor=ACTOR, now=T0, review_growth=100)
    m = factories.member()
    interactions.save_profile(m.id, "王芳", date(1990, 5, 4), actor=ACTOR, now=T0)  # +20
    purchase_id = bought(m.id, 1000)
    reviewed(m.id, purchase_id)
    # Towards VIP2 (150) interactions count up to 60: 10 spend + min(20 + 100, 60).
    assert standing(m.id) == (10, 120, 70, "VIP1")
    result = refund(purchase_id, 1000, "all")
    # The review's recorded 100 goes; the profile's 20 stays: the card drops 10 + 40.
    assert (result.growth_taken, result.review_growth_taken) == (10, 100)
    assert standing(m.id) == (0, 20, 20, "VIP1")
    assert returned_entries(m.id)[0][0] == -100


def test_the_take_back_never_lowers_the_tier_at_once():
    m = factories.member()
    purchase_id = bought(m.id, 14000)
    reviewed(m.id, purchase_id)  # 140 + 10 reaches VIP2
    assert standing(m.id)[3] == "VIP2"
    refund(purchase_id, 14000, "all")
    spend, interaction, _shown, tier = standing(m.id)
    assert (spend, interaction, tier) == (0, 0, "VIP2")
    moves = db.session.scalars(select(TierChange.cause)).all()
    assert moves == ["growth"]  # the move up only; down waits for the period's end


def test_without_a_review_a_full_refund_changes_nothing_more():
    m = factories.member()
    interactions.save_profile(m.id, "王芳", date(1990, 5, 4), actor=ACTOR, now=T0)
    other = bought(m.id, 3000, "R-2")
    reviewed(m.id, other)
    purchase_id = bought(m.id)
    result = refund(purchase_id, 5000, "all")
    assert (result.growth_taken, result.review_growth_taken) == (50, 0)
    assert standing(m.id) == (30, 30, 60, "VIP1")  # the other review and the profile stay
    assert returned_entries(m.id) == [] and audited("review.growth_returned") == []
    db.session.expire_all()
    assert db.session.scalars(select(Review.growth_returned_at)).all() == [None]


def test_a_review_that_earned_nothing_is_marked_without_a_growth_entry():
    update_program_rules(actor=ACTOR, now=T0, review_growth=0)
    m = factories.member()
    purchase_id = bought(m.id)
    review = reviewed(m.id, purchase_id)
    assert refund(purchase_id, 5000, "all").review_growth_taken == 0
    db.session.expire_all()
    assert db.session.get(Review, review.id).growth_returned is True
    assert returned_entries(m.id) == []


def test_return_growth_acts_once_and_only_on_a_fully_refunded_purchase():
    m = factories.member()
    purchase_id = bought(m.id)
    reviewed(m.id, purchase_id)
    partial = refund(purchase_id, 1000, "part")
    assert reviews.return_growth(purchase_id, refund_id=partial.refund_id, actor=ACTOR, now=T1) == 0
    last = refund(purchase_id, 4000, "rest")
    assert last.review_growth_taken == 10
    assert reviews.return_growth(purchase_id, refund_id=last.refund_id, actor=ACTOR, now=T1) == 0
    assert standing(m.id)[:2] == (0, 0) and len(returned_entries(m.id)) == 1


@pytest.mark.parametrize(
    "values",
    [{"growth_returned_at": T1}, {"returned_by_refund_id": "refund"}],
    ids=["time-without-refund", "refund-without-time"],
)
def test_the_database_pairs_the_mark_with_its_refund(values):
    m = factories.member()
    purchase_id = bought(m.id)
    refund_id = refund(purchase_id, 100, "part").refund_id
    values = {k: (refund_id if v == "refund" else v) for k, v in values.items()}
    row = {"member_id": m.id, "purchase_id": purchase_id, "rating": 5, "text": GOOD}
    db.session.add(Review(**row, growth=0, created_at=T0, **values))
    with pytest.raises(exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count(Review.id))) == 0
