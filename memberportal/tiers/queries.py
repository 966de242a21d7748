"""Reading tiers."""

from __future__ import annotations

from sqlalchemy import select

from memberportal.extensions import db
from memberportal.tiers.models import Tier


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
