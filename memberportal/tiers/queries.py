"""Reading tiers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from memberportal.core.clock import local_date
from memberportal.extensions import db
from memberportal.tiers.models import ProfileCompletion, SignIn, Tier, TierChange
from memberportal.tiers.rules import current_streak


def all_tiers(*, include_retired: bool = False) -> list[Tier]:
    """The ladder, lowest first; retired tiers only when asked (the owner's editor)."""
    query = select(Tier).order_by(Tier.rank)
    if not include_retired:
        query = query.where(Tier.retired_at.is_(None))
    return list(db.session.scalars(query))


def entry_tier() -> Tier | None:
    """The tier a new member starts at: the lowest active rank (None before the owner sets
    one up)."""
    return db.session.scalars(
        select(Tier).where(Tier.retired_at.is_(None)).order_by(Tier.rank).limit(1)
    ).first()


def program_open() -> bool:
    """Members can join once the program has its entry tier."""
    return entry_tier() is not None


def next_tier(tier: Tier) -> Tier | None:
    return db.session.scalars(
        select(Tier)
        .where(Tier.rank > tier.rank, Tier.retired_at.is_(None))
        .order_by(Tier.rank)
        .limit(1)
    ).first()


@dataclass(frozen=True)
class InteractionStatus:
    signed_in_today: bool
    profile_completed: bool
    sign_in_growth: int
    profile_growth: int
    streak: int = 0  # consecutive days up to today (or yesterday, not yet signed in today)
    sign_in_points: int = 0
    bonus_days: int = 7
    bonus_points: int = 0

    @property
    def days_to_bonus(self) -> int:
        """Sign-ins still needed for the next streak bonus, today's (if not yet made) included."""
        done = self.streak % self.bonus_days
        return self.bonus_days - done


def interaction_status(member_id: int, now: datetime) -> InteractionStatus:
    """The member's own interactions: signed in today (brand-local day)? the streak? profile
    completed?"""
    from memberportal.points.services import program_rules

    rules = program_rules()
    today = local_date(now)
    last = db.session.execute(
        select(SignIn.day, SignIn.streak)
        .where(SignIn.member_id == member_id)
        .order_by(SignIn.day.desc())
        .limit(1)
    ).first()
    profile = db.session.scalar(
        select(ProfileCompletion.id).where(ProfileCompletion.member_id == member_id)
    )
    return InteractionStatus(
        last is not None and last.day == today, profile is not None, rules.sign_in_growth,
        rules.profile_growth,
        streak=current_streak(last.day if last else None, last.streak if last else 0, today),
        sign_in_points=rules.sign_in_points, bonus_days=rules.streak_bonus_days,
        bonus_points=rules.streak_bonus_points,
    )  # fmt: skip


@dataclass(frozen=True)
class TierHistoryRow:
    """One line of a member's tier history: a move (or joining) with its date and cause."""

    at: datetime
    from_tier: Tier | None  # None for joining
    to_tier: Tier
    cause: str  # "joined", "growth", "reevaluation", "staff"
    growth_spend: int = 0
    growth_interaction: int = 0


def tier_history(member_id: int, limit: int = 50) -> list[TierHistoryRow]:
    """The member's tier moves, newest first, ending with the tier they joined at (the first
    move's origin, or their tier when they never moved). Only this member's rows."""
    from memberportal.members.models import Member

    member = db.session.get(Member, member_id)
    if member is None:
        return []
    moves = db.session.scalars(
        select(TierChange)
        .where(TierChange.member_id == member_id)
        .order_by(TierChange.at.desc(), TierChange.id.desc())
        .limit(limit)
    ).all()
    tiers = {t.id: t for t in db.session.scalars(select(Tier))}
    rows = [
        TierHistoryRow(
            m.at,
            tiers[m.from_tier_id],
            tiers[m.to_tier_id],
            m.cause,
            m.growth_spend,
            m.growth_interaction,
        )  # fmt: skip
        for m in moves
    ]
    if len(moves) < limit:
        joined_at = tiers[moves[-1].from_tier_id] if moves else member.tier
        rows.append(TierHistoryRow(member.joined_at, None, joined_at, "joined"))
    return rows
