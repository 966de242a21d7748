"""Referrals that cannot be farmed: the friend gets a welcome reward at once, the referrer is
paid only at the friend's first purchase, and at most N referrals a month."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from memberportal.audit.models import AuditEntry
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.models import LedgerEntry
from memberportal.points.queries import ledger_mismatches
from memberportal.points.services import update_program_rules
from memberportal.purchases.services import record_purchase
from memberportal.referrals.models import CAPPED, HELD, REWARDED, Referral, ReferralQuota
from memberportal.referrals.services import record_referral
from tests import factories
from tests.points_helpers import ACTOR, T0


def balance(member_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Member, member_id).points_balance


def referral_of(friend_id: int) -> Referral:
    db.session.expire_all()
    return db.session.scalars(select(Referral).where(Referral.referred_id == friend_id)).one()


def buy(member_id: int, ref: str, now=T0, cents: int = 1000):
    return record_purchase(member_id, cents, ref, source="till", actor=ACTOR, now=now)


def test_the_friend_gets_the_welcome_points_and_the_referrer_waits_for_a_purchase():
    referrer, friend = factories.member(), factories.member()
    record_referral(referrer.member_no, friend.id, actor=ACTOR, now=T0)
    assert balance(friend.id) == 50  # the welcome reward
    kinds = db.session.scalars(
        select(LedgerEntry.kind).where(LedgerEntry.member_id == friend.id)
    ).all()
    assert kinds == ["referral_welcome"]
    assert balance(referrer.id) == 0
    assert referral_of(friend.id).status == HELD

    buy(friend.id, "FIRST-1", now=T0 + timedelta(days=3))
    assert balance(referrer.id) == 100
    row = referral_of(friend.id)
    assert (row.status, row.decided_at.replace(tzinfo=UTC)) == (REWARDED, T0 + timedelta(days=3))
    db.session.expire_all()
    assert db.session.get(Member, referrer.id).growth_interaction == 10

    buy(friend.id, "SECOND-1", now=T0 + timedelta(days=4))  # later purchases pay nothing more
    assert balance(referrer.id) == 100
    rewarded = db.session.scalars(
        select(AuditEntry.subject_id).where(AuditEntry.action == "referral.rewarded")
    ).all()
    assert rewarded == [referrer.id]
    assert ledger_mismatches() == []


def test_a_purchase_by_a_member_nobody_referred_changes_no_referral():
    m = factories.member()
    buy(m.id, "LONE-1")
    assert db.session.scalars(select(Referral)).all() == []
    assert db.session.scalars(select(ReferralQuota)).all() == []


def test_the_monthly_cap_pays_n_referrals_and_records_the_rest_unpaid():
    update_program_rules(actor=ACTOR, now=T0, referral_monthly_cap=2)
    referrer = factories.member()
    friends = [factories.member() for _ in range(3)]
    for friend in friends:
        record_referral(referrer.member_no, friend.id, actor=ACTOR, now=T0)
    for n, friend in enumerate(friends):
        buy(friend.id, f"CAP-{n}")
    assert balance(referrer.id) == 200
    statuses = [referral_of(f.id).status for f in friends]
    assert statuses == [REWARDED, REWARDED, CAPPED]
    capped = referral_of(friends[2].id)
    assert (capped.points, capped.growth) == (0, 0)
    quota = db.session.scalars(select(ReferralQuota)).one()
    assert (quota.month, quota.rewarded) == ("2026-03", 2)
    # Next brand-local month the referrer earns again.
    april = datetime(2026, 3, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 April in Shanghai
    late_friend = factories.member()
    record_referral(referrer.member_no, late_friend.id, actor=ACTOR, now=april)
    buy(late_friend.id, "APRIL-1", now=april)
    assert balance(referrer.id) == 300
    months = db.session.scalars(select(ReferralQuota.month).order_by(ReferralQuota.month)).all()
    assert months == ["2026-03", "2026-04"]
    assert ledger_mismatches() == []


def test_a_cap_of_zero_pays_no_referrer_but_still_welcomes_the_friend():
    update_program_rules(actor=ACTOR, now=T0, referral_monthly_cap=0)
    referrer, friend = factories.member(), factories.member()
    record_referral(referrer.member_no, friend.id, actor=ACTOR, now=T0)
    buy(friend.id, "ZERO-1")
    assert (balance(referrer.id), balance(friend.id)) == (0, 50 + 10)
    assert referral_of(friend.id).status == CAPPED


def test_without_the_hold_the_referrer_is_paid_on_joining_within_the_cap():
    update_program_rules(
        actor=ACTOR, now=T0, referral_hold_until_purchase=False, referral_monthly_cap=1
    )
    referrer = factories.member()
    first, second = factories.member(), factories.member()
    record_referral(referrer.member_no, first.id, actor=ACTOR, now=T0)
    record_referral(referrer.member_no, second.id, actor=ACTOR, now=T0)
    assert balance(referrer.id) == 100
    assert [referral_of(f.id).status for f in (first, second)] == [REWARDED, CAPPED]


def test_a_closed_account_neither_refers_nor_is_paid_for_a_held_referral():
    from memberportal.privacy.services import close_account

    referrer, friend = factories.member(), factories.member()
    record_referral(referrer.member_no, friend.id, actor=ACTOR, now=T0)
    close_account(referrer.id, factories.PASSWORD, confirmed=True, actor=referrer, now=T0)
    buy(friend.id, "AFTER-CLOSE")
    assert referral_of(friend.id).status == HELD and balance(referrer.id) == 0
    late = factories.member()
    assert record_referral(referrer.member_no, late.id, actor=ACTOR, now=T0) is None
    assert balance(late.id) == 0
