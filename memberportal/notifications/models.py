"""Notifications: the outbox of events, one delivery per event and channel, the in-app
notification centre, members' channel choices and the scheduler's once-per-slot runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberportal.core.db import BigID, intpk
from memberportal.extensions import db

CATEGORIES = ("points", "tier", "mall", "membership", "coupon", "wallet")
CHANNELS = ("inapp", "email", "sms")
DELIVERY_CHANNELS = (*CHANNELS, "webhook")
DELIVERY_STATES = ("pending", "delivered", "failed")
LANGUAGES = ("zh", "en")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ",".join(f"'{v}'" for v in values) + ")"


class NotificationEvent(db.Model):
    """One thing that happened that someone outside should hear about: written in the same
    transaction as the change (the outbox). `dispatched_at` is set when its deliveries exist."""

    __tablename__ = "notification_events"
    __table_args__ = (
        CheckConstraint(_in("category", CATEGORIES), name="category"),
        Index("ix_notification_events_pending", "dispatched_at", "id"),
    )

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(16))
    member_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    payload: Mapped[dict] = mapped_column(JSON)
    # What makes the event happen once: e.g. the tier change's id, the invoice id.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]
    dispatched_at: Mapped[datetime | None]


class Delivery(db.Model):
    """One event to one channel (and target): UNIQUE, so two workers never deliver it twice."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "channel", "target"),
        CheckConstraint(_in("channel", DELIVERY_CHANNELS), name="channel"),
        CheckConstraint(_in("status", DELIVERY_STATES), name="status"),
        CheckConstraint("attempts >= 0", name="attempts"),
        CheckConstraint(
            "status <> 'delivered' OR delivered_at IS NOT NULL", name="delivered_has_time"
        ),
        Index("ix_notification_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[intpk]
    event_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("notification_events.id", ondelete="RESTRICT")
    )
    channel: Mapped[str] = mapped_column(String(16))
    # '' for the member's own channels; a webhook endpoint's id for a webhook.
    target: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    # A worker that claimed the delivery holds it until then; a killed worker's lease runs out
    # and the delivery is tried again (at least once).
    leased_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Notification(db.Model):
    """The in-app notification centre: one row per event (UNIQUE), read or not."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_member_id", "member_id", "id"),)

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(BigID, ForeignKey("members.id", ondelete="RESTRICT"))
    event_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("notification_events.id", ondelete="RESTRICT"), unique=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class ChannelChoice(db.Model):
    """A member's choice for one category and channel; without a row the default applies."""

    __tablename__ = "notification_choices"
    __table_args__ = (
        UniqueConstraint("member_id", "category", "channel"),
        CheckConstraint(_in("category", CATEGORIES), name="category"),
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(BigID, ForeignKey("members.id", ondelete="RESTRICT"))
    category: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    enabled: Mapped[bool]


class MessageLanguage(db.Model):
    """The language a member's e-mails and texts are written in (set with their choices)."""

    __tablename__ = "notification_languages"
    __table_args__ = (CheckConstraint(_in("language", LANGUAGES), name="language"),)

    member_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(8))


class ScheduleRun(db.Model):
    """A scheduled job started for one slot (a brand-local day, a five-minute window):
    UNIQUE, so of two schedulers exactly one starts it."""

    __tablename__ = "schedule_runs"
    __table_args__ = (UniqueConstraint("job", "slot"),)

    id: Mapped[intpk]
    job: Mapped[str] = mapped_column(String(64))
    slot: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime]


class WebhookEndpoint(db.Model):
    """A shop system's URL that receives the events it subscribed to, signed with its secret
    (shown to the owner once). Disabled after repeated failure, until the owner enables it."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        CheckConstraint("url LIKE 'http://%' OR url LIKE 'https://%'", name="http_url"),
        CheckConstraint("consecutive_failures >= 0", name="failures"),
        CheckConstraint("active OR disabled_at IS NOT NULL", name="disabled_has_time"),
    )

    id: Mapped[intpk]
    url: Mapped[str] = mapped_column(String(500))
    # The event kinds it receives (a list; see rules.KINDS).
    events: Mapped[list] = mapped_column(JSON)
    secret: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    disabled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class WebhookAttempt(db.Model):
    """One HTTP attempt of a webhook delivery, with its answer: the delivery log."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery_id", "delivery_id", "id"),)

    id: Mapped[intpk]
    delivery_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("notification_deliveries.id", ondelete="RESTRICT")
    )
    endpoint_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("webhook_endpoints.id", ondelete="RESTRICT"), index=True
    )
    attempt: Mapped[int]
    status_code: Mapped[int | None]
    response: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(String(500))
    duration_ms: Mapped[int]
    at: Mapped[datetime]
