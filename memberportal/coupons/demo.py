"""Demo coupons: the reference program's tier coupons. Loading twice adds nothing."""

from __future__ import annotations

from sqlalchemy import select

from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.coupons import services
from memberportal.coupons.models import CouponTemplate
from memberportal.extensions import db
from memberportal.tiers.models import Tier

ACTOR = SystemActor(audit_label="demo data")
VALID_DAYS = 30

# tier code, name zh, name en, amount off (cents), minimum spend (cents)
TIER_COUPONS = [
    ("VIP1", "满79减8", "8 off orders of 79", 800, 7900),
    ("VIP2", "满169减15", "15 off orders of 169", 1500, 16900),
    ("VIP3", "无门槛25元券", "25 off, no minimum", 2500, 0),
    ("VIP4", "无门槛40元券", "40 off, no minimum", 4000, 0),
]


def load() -> int:
    """Attach the tier coupons to the reference tiers that have none; return rows added."""
    tiers = {t.code: t.id for t in db.session.scalars(select(Tier))}
    attached = set(
        db.session.scalars(
            select(CouponTemplate.tier_id).where(CouponTemplate.tier_id.is_not(None))
        )
    )
    added = 0
    for code, name_zh, name_en, amount, threshold in TIER_COUPONS:
        tier_id = tiers.get(code)
        if tier_id is None or tier_id in attached:
            continue
        services.create_template(
            services.TemplateInput(name_zh, name_en, amount, threshold, VALID_DAYS, tier_id),
            actor=ACTOR,
            now=utcnow(),
        )
        added += 1
    return added
