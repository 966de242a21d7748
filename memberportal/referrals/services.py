"""Referral use cases: a new member who came through an invite link gets the welcome reward;
the referrer is rewarded at the friend's first purchase, within a monthly cap."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exc, exists, select, update

from memberportal.audit import services as audit
from memberportal.core.clock import end_of_day, local_date
from memberportal.core.db import insert_once, use_case
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points import ledger
from memberportal.points.services import program_rules
from memberportal.referrals.models import CAPPED, HELD, REWARDED, Referral, ReferralQuota
from memberportal.referrals.rules import quota_month, referral_expiry_day
from memberportal.tiers.services import record_interaction

referrals = Referral.__table__
quotas = ReferralQuota.__table__


@use_case
def record_referral(code: str | None, referred_id: int, *, actor, now: datetime) -> Referral | None:
    """`referred_id` registered through the invite link carrying `code` (a member number).

    An empty or unknown code, or the member's own, records nothing and raises nothing:
    registering never fails because of a link. Otherwise writes the referral (UNIQUE on the
    referred member, so a member is referred once) with the program's amounts, an audit row,
    and the new member's welcome points (program rule) as a lot expiring at the end of the
    day 6 months later (brand zone). The referrer's reward is held until the friend's first
    purchase (release_on_purchase) when the program says so, else paid at once, in both cases
    through the monthly cap (_pay).
    """
    referrer_id = _referrer_id(code)
    if referrer_id is None or referrer_id == referred_id:
        return None
    rules = program_rules()
    referral = Referral(
        referrer_id=referrer_id, referred_id=referred_id, points=rules.referral_points,
        growth=rules.share_growth, welcome_points=rules.referral_welcome_points,
        created_at=now, status=HELD,
    )  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.add(referral)
    except exc.IntegrityError:
        return None  # this member was already referred
    audit.record(
        "member.referred", actor=actor, subject_type="member", subject_id=referrer_id,
        referred_id=referred_id, referral_id=referral.id, points=referral.points,
        growth=referral.growth, welcome_points=referral.welcome_points,
    )  # fmt: skip
    if referral.welcome_points:
        ledger.earn(
            referred_id, referral.welcome_points, kind="referral_welcome",
            source_type="referral", source_id=referral.id,
            expires_at=end_of_day(referral_expiry_day(local_date(now))), actor=actor, now=now,
        )  # fmt: skip
    if not rules.referral_hold_until_purchase:
        release_on_purchase(referred_id, actor=actor, now=now)
    return referral


@use_case
def release_on_purchase(member_id: int, *, actor, now: datetime) -> str | None:
    """The member bought something: pay the reward held for whoever referred them, once.

    Called from purchases.services.record_purchase for every purchase; the first one finds the
    held referral, later ones find nothing (one indexed UPDATE). Returns the referral's new
    status (rewarded or capped) or None. Concurrency: the conditional UPDATE ... WHERE
    status = 'held' takes the referral; of two purchases at once, one pays.
    """
    referrer_open = exists().where(
        Member.id == referrals.c.referrer_id, Member.closed_at.is_(None)
    )  # correlated: evaluated for the one held row, never a list of every member
    row = db.session.execute(
        update(referrals)
        .where(
            referrals.c.referred_id == member_id,
            referrals.c.status == HELD,
            referrer_open,  # a closed account earns nothing
        )
        .values(status=REWARDED, decided_at=now)
        .returning(referrals.c.id, referrals.c.referrer_id, referrals.c.points,
                   referrals.c.growth)
    ).first()  # fmt: skip
    if row is None:
        return None
    return _pay(*row, actor=actor, now=now)


def _pay(referral_id: int, referrer_id: int, points: int, growth: int, *, actor, now) -> str:
    """Pay the referrer within the monthly cap: one more on this month's quota row only while
    it is below the cap (a conditional UPDATE, so concurrent payments never pass it); past it,
    the referral is marked capped and pays nothing."""
    month = quota_month(local_date(now))
    insert_once(quotas, referrer_id=referrer_id, month=month, rewarded=0)
    counted = db.session.execute(
        update(quotas)
        .where(
            quotas.c.referrer_id == referrer_id,
            quotas.c.month == month,
            quotas.c.rewarded < program_rules().referral_monthly_cap,
        )
        .values(rewarded=quotas.c.rewarded + 1)
    ).rowcount
    if not counted:
        db.session.execute(
            update(referrals)
            .where(referrals.c.id == referral_id)
            .values(status=CAPPED, points=0, growth=0)
        )
        audit.record(
            "referral.capped", actor=actor, subject_type="member", subject_id=referrer_id,
            referral_id=referral_id, month=month,
        )  # fmt: skip
        return CAPPED
    audit.record(
        "referral.rewarded", actor=actor, subject_type="member", subject_id=referrer_id,
        referral_id=referral_id, points=points, growth=growth,
    )  # fmt: skip
    if points:
        ledger.earn(
            referrer_id, points, kind="referral", source_type="referral", source_id=referral_id,
            expires_at=end_of_day(referral_expiry_day(local_date(now))), actor=actor, now=now,
        )  # fmt: skip
    if growth:
        record_interaction(
            referrer_id, "share", growth, actor=actor, now=now, source_id=referral_id
        )
    return REWARDED


def _referrer_id(code: str | None) -> int | None:
    code = (code or "").strip()
    if not code or len(code) > 32:
        return None
    return db.session.scalar(
        select(Member.id).where(Member.member_no == code, Member.closed_at.is_(None))
    )
