"""Reads for the owner's API client page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from memberportal.api.models import ApiClient, ApiUsage
from memberportal.core.clock import utcnow
from memberportal.extensions import db


@dataclass(frozen=True)
class ClientUsage:
    client: ApiClient
    last_used_at: datetime | None
    calls_total: int
    calls_24h: int
    errors_24h: int


def clients_with_usage(now: datetime | None = None) -> list[ClientUsage]:
    """Every client with its last call and its calls in all and in the last 24 hours (by the
    hour: this hour and the 23 before it), errors among them."""
    now = now or utcnow()
    since = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=23)
    recent = ApiUsage.hour >= since
    stats = (
        select(
            ApiUsage.client_id,
            func.max(ApiUsage.last_at),
            func.sum(ApiUsage.calls),
            func.sum(ApiUsage.calls).filter(recent),
            func.sum(ApiUsage.errors).filter(recent),
        )
        .group_by(ApiUsage.client_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ApiClient, *stats.c[1:])
        .outerjoin(stats, stats.c.client_id == ApiClient.id)
        .order_by(ApiClient.revoked_at.is_not(None), ApiClient.name)
    )
    return [
        ClientUsage(client, last, int(total or 0), int(day or 0), int(errors or 0))
        for client, last, total, day, errors in rows
    ]
