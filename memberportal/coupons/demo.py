"""Demo coupons: the reference program's tier coupons and the SVIP card's coupons.
Loading twice adds nothing."""

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

# The paid card: one no-threshold 50 per paid period, and a 30-off-199 every quarter.
# name zh, name en, amount off, minimum spend (cents), valid days, quarterly
PAID_COUPONS = [
    ("SVIP 无门槛50元券", "SVIP 50 off, no minimum", 5000, 0, 90, False),
    ("SVIP 满199减30（季度）", "SVIP 30 off 199 (quarterly)", 3000, 19900, 92, True),
]


def load() -> int:
    """Attach the tier coupons to the reference tiers that have none and add the paid-card
    coupons that are missing (by English name); return rows added."""
    return _load_tier_coupons() + _load_paid_coupons()


def _load_tier_coupons() -> int:
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


def _load_paid_coupons() -> int:
    present = set(
        db.session.scalars(select(CouponTemplate.name_en).where(CouponTemplate.source == "paid"))
    )
    added = 0
    for name_zh, name_en, amount, threshold, days, quarterly in PAID_COUPONS:
        if name_en in present:
            continue
        services.create_template(
            services.TemplateInput(
                name_zh, name_en, amount, threshold, days, source="paid", per_quarter=quarterly
            ),
            actor=ACTOR,
            now=utcnow(),
        )
        added += 1
    return added
