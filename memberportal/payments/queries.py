"""Reading the stored webhook events (staff pages scope who may call these)."""

from __future__ import annotations

from sqlalchemy import select

from memberportal.extensions import db
from memberportal.payments.models import StripeEvent


def unmatched_events(limit: int = 200) -> list[StripeEvent]:
    return list(
        db.session.scalars(
            select(StripeEvent)
            .where(StripeEvent.outcome == "unmatched")
            .order_by(StripeEvent.received_at.desc(), StripeEvent.id.desc())
            .limit(limit)
        )
    )
