"""Reading tiers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from memberportal.core.clock import local_date
from memberportal.extensions import db
from memberportal.tiers.models import ProfileCompletion, SignIn, Tier


def all_tiers() -> list[Tier]:
    return list(db.session.scalars(select(Tier).order_by(Tier.rank)))


def entry_tier() -> Tier:
    """The tier a new member starts at: the lowest rank."""
    tier = db.session.scalars(select(Tier).order_by(Tier.rank).limit(1)).first()
    if tier is None:
        raise LookupError("no tiers configured; run `flask --app app setup --demo`")
    return tier


def next_tier(tier: Tier) -> Tier | None:
    return db.session.scalars(
        select(Tier).where(Tier.rank > tier.rank).order_by(Tier.rank).limit(1)
    ).first()


@dataclass(frozen=True)
class InteractionStatus:
    signed_in_today: bool
    profile_completed: bool
    sign_in_growth: int
    profile_growth: int


def interaction_status(member_id: int, now: datetime) -> InteractionStatus:
    """The member's own interactions: signed in today (brand-local day)? profile completed?"""
    from memberportal.points.services import program_rules

    rules = program_rules()
    signed = db.session.scalar(
        select(SignIn.id).where(SignIn.member_id == member_id, SignIn.day == local_date(now))
    )
    profile = db.session.scalar(
        select(ProfileCompletion.id).where(ProfileCompletion.member_id == member_id)
    )
    return InteractionStatus(
        signed is not None, profile is not None, rules.sign_in_growth, rules.profile_growth
    )
