"""Interactions a member earns growth for: the daily sign-in and completing the profile.

Each is claimed by a row whose UNIQUE key makes "once" true (per brand-local day, per
member), then goes through tiers.services.record_interaction, so the interaction cap holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exc, select

from memberportal.audit import services as audit
from memberportal.core.clock import local_date
from memberportal.core.db import use_case
from memberportal.core.errors import AlreadyExists, ValidationFailed
from memberportal.extensions import db
from memberportal.members import services as members
from memberportal.points import ledger
from memberportal.points.services import expiry_for, program_rules
from memberportal.tiers.models import ProfileCompletion, SignIn
from memberportal.tiers.rules import sign_in_reward
from memberportal.tiers.services import TierMove, record_interaction


class AlreadySignedIn(AlreadyExists):
    code = "already_signed_in"
    status = 422
    default_message = _l("You have already checked in today. Come back tomorrow!")


class ProfileIncomplete(ValidationFailed):
    code = "profile_incomplete"
    default_message = _l("Enter your name and birthday.")


@dataclass(frozen=True)
class InteractionResult:
    growth: int
    tier_changed: TierMove | None
    points: int = 0
    streak: int = 0
    bonus: bool = False


def _claim(row) -> bool:
    """Insert the claim row; False if its UNIQUE key says it was already claimed."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except exc.IntegrityError:
        return False
    return True


def _grant(member_id: int, kind: str, growth: int, source_id: int, *, actor, now):
    if not growth:
        return None
    return record_interaction(member_id, kind, growth, actor=actor, now=now, source_id=source_id)


@use_case
def sign_in(member_id: int, *, actor, now: datetime) -> InteractionResult:
    """The daily sign-in (签到): once per brand-local day, with a streak of consecutive days.

    Writes a sign_ins row (UNIQUE member and day) carrying the streak (yesterday's plus one,
    else 1) and what the day earns (tiers.rules.sign_in_reward: the program's daily points and
    growth, plus the bonus on every Nth consecutive day); the points as a lot with the
    program's expiry through the ledger, the growth through record_interaction (counted only
    up to the interaction cap; may move the member up). Raises AlreadySignedIn on a second
    sign-in the same day. Concurrency: the UNIQUE key decides; of simultaneous sign-ins
    exactly one commits and earns, the others wait for it and raise AlreadySignedIn.
    Yesterday's row, which the streak reads, is never changed after its day.
    """
    rules = program_rules()
    today = local_date(now)
    before = db.session.scalar(
        select(SignIn.streak).where(
            SignIn.member_id == member_id, SignIn.day == today - timedelta(days=1)
        )
    )
    streak = (before or 0) + 1
    reward = sign_in_reward(
        streak, points=rules.sign_in_points, growth=rules.sign_in_growth,
        bonus_days=rules.streak_bonus_days, bonus_points=rules.streak_bonus_points,
        bonus_growth=rules.streak_bonus_growth,
    )  # fmt: skip
    row = SignIn(
        member_id=member_id, day=today, streak=streak, points=reward.points,
        growth=reward.growth, bonus=reward.bonus, at=now,
    )  # fmt: skip
    if not _claim(row):
        raise AlreadySignedIn()
    if reward.points:
        ledger.earn(
            member_id, reward.points, kind="sign_in", source_type="sign_in", source_id=row.id,
            expires_at=expiry_for(now, rules), actor=actor, now=now,
        )  # fmt: skip
    move = _grant(member_id, "sign_in", reward.growth, row.id, actor=actor, now=now)
    return InteractionResult(reward.growth, move, points=reward.points, streak=streak,
                             bonus=reward.bonus)  # fmt: skip


@use_case
def save_profile(
    member_id: int, name: str, birthday: date | None, *, actor, now: datetime
) -> InteractionResult:
    """The member saves name and birthday; the first complete profile earns growth, once.

    Writes the member's name and birthday (members.services.update_profile), and on the
    first complete save a profile_completions row (UNIQUE member) plus the growth through
    record_interaction. Raises ProfileIncomplete without a name or birthday. Concurrency:
    the UNIQUE key grants once however many saves race; later saves grant nothing.
    """
    name = (name or "").strip()
    if not name or birthday is None:
        raise ProfileIncomplete()
    members.update_profile(member_id, name, birthday, actor=actor)
    growth = program_rules().profile_growth
    row = ProfileCompletion(member_id=member_id, growth=growth, at=now)
    if not _claim(row):
        return InteractionResult(0, None)
    audit.record(
        "member.profile_completed", actor=actor, subject_type="member", subject_id=member_id,
        growth=growth,
    )  # fmt: skip
    move = _grant(member_id, "profile", growth, row.id, actor=actor, now=now)
    return InteractionResult(growth, move)
