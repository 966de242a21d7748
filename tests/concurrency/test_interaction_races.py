"""Interactions under races: the UNIQUE keys, not Python, decide who earns."""

from datetime import date

import pytest
from sqlalchemy import func, select

from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.purchases.services import record_purchase
from memberportal.reviews.errors import AlreadyReviewed
from memberportal.reviews.models import Review
from memberportal.reviews.services import review_purchase
from memberportal.tiers import interactions
from memberportal.tiers.interactions import AlreadySignedIn
from memberportal.tiers.models import GrowthEntry, ProfileCompletion, SignIn
from tests import factories
from tests.concurrency.test_points_races import run_threads
from tests.points_helpers import ACTOR, T0

pytestmark = pytest.mark.concurrency


def counts(member_id: int) -> tuple[int, int, int]:
    db.session.expire_all()
    growth = db.session.get(Member, member_id).growth_interaction
    entries = db.session.scalar(
        select(func.count(GrowthEntry.id)).where(GrowthEntry.member_id == member_id)
    )
    return growth, entries, db.session.scalar(select(func.count(SignIn.id)))


def test_ten_sign_ins_on_one_day_grant_once(app):
    member_id = factories.member().id
    outcomes = run_threads(app, 10, lambda: interactions.sign_in(member_id, actor=ACTOR, now=T0))
    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count(AlreadySignedIn.__name__) == 9
    assert counts(member_id) == (5, 1, 1)
    # The day's points were credited once too.
    assert db.session.get(Member, member_id).points_balance == 5


def test_ten_profile_saves_grant_once(app):
    member_id = factories.member().id
    outcomes = run_threads(
        app,
        10,
        lambda: interactions.save_profile(member_id, "王芳", date(1990, 5, 4), actor=ACTOR, now=T0),
    )
    assert outcomes.count("ok") == 10, outcomes
    growth, entries, _sign_ins = counts(member_id)
    assert (growth, entries) == (20, 1)
    assert db.session.scalar(select(func.count(ProfileCompletion.id))) == 1


def test_ten_reviews_of_one_purchase_at_once_make_one_review(app):
    member_id = factories.member().id
    purchase_id = record_purchase(
        member_id, 5000, "RACE-1", source="till", actor=ACTOR, now=T0
    ).purchase_id
    outcomes = run_threads(
        app,
        10,
        lambda: review_purchase(member_id, purchase_id, 5, "Worth the wait.", actor=ACTOR, now=T0),
    )
    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count(AlreadyReviewed.__name__) == 9
    growth, entries, _sign_ins = counts(member_id)
    assert (growth, entries) == (10, 1)  # one review (the purchase keeps its own growth)
    assert db.session.scalar(select(func.count(Review.id))) == 1
