"""Reads for the owner's API client page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from memberportal.api.models import ApiCall, ApiClient
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
    since = (now or utcnow()) - timedelta(hours=24)
    recent = ApiCall.at >= since
    stats = (
        select(
            ApiCall.client_id,
            func.max(ApiCall.at),
            func.count(ApiCall.id),
            func.count(ApiCall.id).filter(recent),
            func.count(ApiCall.id).filter(recent, ApiCall.status >= 400),
        )
        .group_by(ApiCall.client_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ApiClient, *stats.c[1:])
        .outerjoin(stats, stats.c.client_id == ApiClient.id)
        .order_by(ApiClient.revoked_at.is_not(None), ApiClient.name)
    )
    return [
        ClientUsage(client, last, total or 0, day or 0, errors or 0)
        for client, last, total, day, errors in rows
    ]
