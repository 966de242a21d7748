"""Demo coupons: the reference program's tier coupons, the SVIP card's coupons, a birthday
coupon, a member-day coupon and a coupon sold in the points mall. Loading twice adds nothing."""

from __future__ import annotations

from sqlalchemy import select

from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.coupons import template_services
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


# Birthday month and member day: source, minimum tier, name zh, name en, amount off, minimum
# spend (cents), valid days. The member day itself is a program rule the owner sets.
OCCASION_COUPONS = [
    ("birthday", "VIP2", "生日月无门槛20元券", "Birthday month: 20 off, no minimum", 2000, 0, 31),
    ("member_day", None, "会员日满99减10", "Member day: 10 off 99", 1000, 9900, 1),
]


# Sold in the points mall (the mall demo's coupon item gives it): 10 off orders of 59.
MALL_COUPON = ("满59减10", "10 off orders of 59", 1000, 5900, 30)


def load() -> int:
    """Attach the tier coupons to the reference tiers that have none and add the paid-card,
    birthday, member-day and points-mall coupons that are missing (by English name); return
    rows added."""
    return (
        _load_tier_coupons()
        + _load_paid_coupons()
        + _load_occasion_coupons()
        + (0 if mall_coupon() else 1)
    )


def mall_coupon() -> bool:
    """Ensure the points-mall coupon exists; True when it was there already."""
    name_zh, name_en, amount, threshold, days = MALL_COUPON
    if db.session.scalar(
        select(CouponTemplate.id).where(
            CouponTemplate.source == "mall", CouponTemplate.name_en == name_en
        )
    ):
        return True
    template_services.create_template(
        template_services.TemplateInput(name_zh, name_en, amount, threshold, days, source="mall"),
        actor=ACTOR,
        now=utcnow(),
    )
    return False


def mall_coupon_id() -> int:
    """The demo's points-mall coupon, added if missing."""
    mall_coupon()
    return db.session.scalar(
        select(CouponTemplate.id).where(
            CouponTemplate.source == "mall", CouponTemplate.name_en == MALL_COUPON[1]
        )
    )


def _load_tier_coupons() -> int:
    tiers = {t.code: t.id for t in db.session.scalars(select(Tier))}
    attached = set(
        db.session.scalars(
            select(CouponTemplate.tier_id).where(
                CouponTemplate.tier_id.is_not(None), CouponTemplate.source == "tier"
            )
        )
    )
    added = 0
    for code, name_zh, name_en, amount, threshold in TIER_COUPONS:
        tier_id = tiers.get(code)
        if tier_id is None or tier_id in attached:
            continue
        template_services.create_template(
            template_services.TemplateInput(
                name_zh, name_en, amount, threshold, VALID_DAYS, tier_id
            ),
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
        template_services.create_template(
            template_services.TemplateInput(
                name_zh, name_en, amount, threshold, days, source="paid", per_quarter=quarterly
            ),
            actor=ACTOR,
            now=utcnow(),
        )
        added += 1
    return added


def _load_occasion_coupons() -> int:
    tiers = {t.code: t.id for t in db.session.scalars(select(Tier))}
    present = {
        (source, name_en)
        for source, name_en in db.session.execute(
            select(CouponTemplate.source, CouponTemplate.name_en).where(
                CouponTemplate.source.in_([row[0] for row in OCCASION_COUPONS])
            )
        )
    }
    added = 0
    for source, tier, name_zh, name_en, amount, threshold, days in OCCASION_COUPONS:
        if (source, name_en) in present or (tier is not None and tier not in tiers):
            continue
        template_services.create_template(
            template_services.TemplateInput(
                name_zh, name_en, amount, threshold, days, tiers.get(tier), source=source
            ),
            actor=ACTOR,
            now=utcnow(),
        )
        added += 1
    return added
