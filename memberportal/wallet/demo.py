"""Demo data: the two top-up plans bakeries and salons offer most, 500 -> 550 and 1000 -> 1150."""

from __future__ import annotations

from sqlalchemy import select

from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.wallet.models import TopUpPlan

PLANS = [
    {"name_zh": "充500送50", "name_en": "Top up 500, get 550", "pay_cents": 50000,
     "bonus_cents": 5000, "bonus_points": 0},
    {"name_zh": "充1000送150", "name_en": "Top up 1000, get 1150", "pay_cents": 100000,
     "bonus_cents": 15000, "bonus_points": 100},
]  # fmt: skip


def load() -> int:
    """Add the demo plans that are missing (by Chinese name); called inside the demo loader."""
    names = set(db.session.scalars(select(TopUpPlan.name_zh)))
    added = 0
    for plan in PLANS:
        if plan["name_zh"] not in names:
            db.session.add(TopUpPlan(created_at=utcnow(), active=True, **plan))
            added += 1
    db.session.flush()
    return added
