"""Demo data: the reference program's paid card, SVIP at 199 a year (first year 99)."""

from __future__ import annotations

from memberportal.core.clock import utcnow
from memberportal.core.db import insert_once
from memberportal.memberships.models import Plan

SVIP = {
    "code": "SVIP",
    "name_zh": "SVIP 付费会员",
    "name_en": "SVIP paid membership",
    "price_cents": 19900,
    "billing_interval": "year",
    "first_period_price_cents": 9900,
    "points_multiplier_pct": 150,
    "discount_bps": 500,
    "benefits_zh": (
        "无门槛50元券一张，每季度“满199减30”券；正装95折、小样88折；会员日8折；积分1.5倍"
    ),
    "benefits_en": (
        "A no-threshold 50 coupon and a quarterly 30-off-199 coupon; 5% off full sizes, "
        "12% off trial sizes; 20% off on member day; 1.5x points"
    ),
    "state": "active",
}


def load() -> int:
    """Add the SVIP plan unless its code exists; called inside the demo loader's use case."""
    return int(insert_once(Plan, created_at=utcnow(), **SVIP))
