"""Helpers for risk tests: purchases at chosen times, the flags a scan left."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from memberportal.extensions import db
from memberportal.purchases.services import record_purchase
from memberportal.risk.models import RiskFlag
from tests.points_helpers import ACTOR

# 2026-03-10 in Shanghai (UTC+8): 23:30 local is 15:30 UTC, 00:30 the next day is 16:30 UTC.
LATE = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
AFTER_MIDNIGHT = datetime(2026, 3, 10, 16, 30, tzinfo=UTC)
NOON = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)

_refs = iter(range(1, 10**6))


def buy(member_id: int, cents: int, at: datetime) -> int:
    return record_purchase(
        member_id, cents, f"R-{next(_refs)}", source="till", actor=ACTOR, now=at
    ).purchase_id


def flags(rule: str | None = None) -> list[RiskFlag]:
    db.session.expire_all()
    query = select(RiskFlag).order_by(RiskFlag.id)
    if rule:
        query = query.where(RiskFlag.rule == rule)
    return list(db.session.scalars(query))
