"""Referral use case: a new member who came through an invite link credits the referrer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exc, select

from memberportal.audit import services as audit
from memberportal.core.clock import end_of_day, local_date
from memberportal.core.db import use_case
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points import ledger
from memberportal.points.services import program_rules
from memberportal.referrals.models import Referral
from memberportal.referrals.rules import referral_expiry_day
from memberportal.tiers.services import record_interaction


@use_case
def record_referral(code: str | None, referred_id: int, *, actor, now: datetime) -> Referral | None:
    """`referred_id` registered through the invite link carrying `code` (a member number).

    An empty or unknown code, or the member's own, records nothing and raises nothing:
    registering never fails because of a link. Otherwise writes the referral (UNIQUE on the
    referred member, so a member is referred once), an audit row, the program's referral
    points as a lot expiring at the end of the day 6 months later (brand zone) through the
    ledger, and the share growth (counted up to the interaction cap).
    """
    referrer_id = _referrer_id(code)
    if referrer_id is None or referrer_id == referred_id:
        return None
    rules = program_rules()
    referral = Referral(
        referrer_id=referrer_id, referred_id=referred_id, points=rules.referral_points,
        growth=rules.share_growth, created_at=now,
    )  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.add(referral)
    except exc.IntegrityError:
        return None  # this member was already referred
    audit.record(
        "member.referred", actor=actor, subject_type="member", subject_id=referrer_id,
        referred_id=referred_id, referral_id=referral.id, points=referral.points,
        growth=referral.growth,
    )  # fmt: skip
    if referral.points:
        ledger.earn(
            referrer_id, referral.points, kind="referral", source_type="referral",
            source_id=referral.id, expires_at=end_of_day(referral_expiry_day(local_date(now))),
            actor=actor, now=now,
        )  # fmt: skip
    if referral.growth:
        record_interaction(
            referrer_id, "share", referral.growth, actor=actor, now=now, source_id=referral.id
        )
    return referral


def _referrer_id(code: str | None) -> int | None:
    code = (code or "").strip()
    if not code or len(code) > 32:
        return None
    return db.session.scalar(select(Member.id).where(Member.member_no == code))
