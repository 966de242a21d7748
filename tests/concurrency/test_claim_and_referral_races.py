"""Claims and referral rewards under races: the conditional UPDATEs decide, not Python."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from memberportal.claims import services as claims
from memberportal.claims.errors import ClaimAlreadyDecided
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.services import update_program_rules
from memberportal.purchases.models import Purchase
from memberportal.purchases.services import record_purchase
from memberportal.referrals.models import CAPPED, REWARDED, Referral
from memberportal.referrals.services import record_referral
from tests import factories
from tests.concurrency.test_points_races import run_threads
from tests.points_helpers import ACTOR, T0

pytestmark = pytest.mark.concurrency


def test_ten_approvals_of_one_claim_record_one_purchase(app):
    member_id = factories.member().id
    claim_id = claims.submit_claim(
        member_id, store="静安店", purchased_on=T0.date() - timedelta(days=1),
        amount_cents=5000, receipt=factories.png(), actor=ACTOR, now=T0,
    ).id  # fmt: skip
    outcomes = run_threads(app, 10, lambda: claims.approve_claim(claim_id, actor=ACTOR, now=T0))
    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count(ClaimAlreadyDecided.__name__) == 9
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Purchase.id))) == 1
    assert db.session.get(Member, member_id).points_balance == 50


def test_first_purchases_of_many_friends_at_once_never_pass_the_monthly_cap(app):
    update_program_rules(actor=ACTOR, now=T0, referral_monthly_cap=3, referral_welcome_points=0)
    referrer = factories.member()
    friends = [factories.member().id for _ in range(8)]
    for friend in friends:
        record_referral(referrer.member_no, friend, actor=ACTOR, now=T0)
    queue = list(friends)

    def first_purchase():
        friend = queue.pop()
        record_purchase(friend, 1000, f"F-{friend}", source="till", actor=ACTOR, now=T0)

    outcomes = run_threads(app, 8, first_purchase)
    assert outcomes.count("ok") == 8, outcomes
    db.session.expire_all()
    statuses = db.session.scalars(select(Referral.status)).all()
    assert statuses.count(REWARDED) == 3 and statuses.count(CAPPED) == 5
    assert db.session.get(Member, referrer.id).points_balance == 300
