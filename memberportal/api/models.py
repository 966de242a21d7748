"""API clients (tills, shops), their calls, and the idempotency records that make retries safe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberportal.core.clock import utcnow
from memberportal.core.db import BigID, intpk
from memberportal.extensions import db


class ActsAsClient:
    """An API client as the actor of what it reports (needs `id` and `name`)."""

    actor_kind = "api"

    @property
    def actor_id(self) -> int:
        return self.id

    @property
    def audit_label(self) -> str:
        return f"api {self.name}"


@dataclass(frozen=True)
class ClientActor(ActsAsClient):
    """The calling client, as a request needs it: read in one plain SELECT, no ORM object."""

    id: int
    name: str
    is_revoked: bool


class ApiClient(ActsAsClient, db.Model):
    """One store or shop system. Its token is stored only as a SHA-256 hash."""

    __tablename__ = "api_clients"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rotated_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ApiUsage(db.Model):
    """Calls per client and UTC hour, for the owner's client page.

    Each worker tallies its calls and adds them here every few seconds
    (api.usage.flush_usage), so a call writes no row of its own; the per-request log line
    carries each call's method, path, status and time."""

    __tablename__ = "api_usage"
    __table_args__ = (
        UniqueConstraint("client_id", "hour"),
        CheckConstraint("calls > 0", name="calls_positive"),
        CheckConstraint("errors >= 0 AND errors <= calls", name="errors_within_calls"),
        CheckConstraint("replays >= 0 AND replays <= calls", name="replays_within_calls"),
    )

    id: Mapped[intpk]
    client_id: Mapped[int] = mapped_column(BigID, ForeignKey("api_clients.id", ondelete="RESTRICT"))
    hour: Mapped[datetime]  # the start of the UTC hour counted
    calls: Mapped[int]
    errors: Mapped[int] = mapped_column(default=0)  # answers with status >= 400
    replays: Mapped[int] = mapped_column(default=0)
    last_at: Mapped[datetime]


class IdempotencyRecord(db.Model):
    """The first answer to a request key, replayed for every retry of the same request."""

    __tablename__ = "api_idempotency"
    __table_args__ = (
        UniqueConstraint("client_id", "key"),
        CheckConstraint("status >= 200 AND status < 600", name="status_range"),
        Index("ix_api_idempotency_created_at", "created_at"),
    )

    id: Mapped[intpk]
    client_id: Mapped[int] = mapped_column(BigID, ForeignKey("api_clients.id", ondelete="RESTRICT"))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    # What the first request created, e.g. "purchase:<order_ref>", so a retry under another
    # key for the same order finds the first answer.
    resource: Mapped[str | None] = mapped_column(String(200), index=True)
    status: Mapped[int] = mapped_column(default=200)
    body: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
