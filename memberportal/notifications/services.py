"""Members' use cases: reading notifications, choosing channels, unsubscribing; and the
expiry warning run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from memberportal.core.db import dialect_insert, use_case
from memberportal.core.errors import ValidationFailed
from memberportal.extensions import db
from memberportal.notifications import outbox
from memberportal.notifications.models import (
    CATEGORIES,
    CHANNELS,
    LANGUAGES,
    ChannelChoice,
    MessageLanguage,
    Notification,
)


@use_case
def warn_expiring_points(now: datetime, *, days: int | None = None) -> int:
    """Write an expiry warning for every member with points lapsing within the warning
    window; once per member and expiry (UNIQUE key), so running it daily warns once."""
    return outbox.warn_expiring(now, days=days)


@use_case
def warn_expiring_coupons(now: datetime, *, days: int | None = None) -> int:
    """Write a warning for every unused coupon expiring within the warning window; once per
    coupon (UNIQUE key), so running it daily warns once."""
    return outbox.warn_expiring_coupons(now, days=days)


@use_case
def mark_read(member_id: int, *, now: datetime, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of this member read.
    Only the member's own rows are touched (the member id is part of the WHERE)."""
    conditions = [Notification.member_id == member_id, Notification.read_at.is_(None)]
    if notification_id is not None:
        conditions.append(Notification.id == notification_id)
    return db.session.execute(update(Notification).where(*conditions).values(read_at=now)).rowcount


@use_case
def save_choices(member_id: int, chosen: dict[tuple[str, str], bool], language: str) -> None:
    """Store the member's channel per category (every pair given) and their message language.
    Raises ValidationFailed for an unknown category, channel or language. Upserts on the
    UNIQUE keys, so two saves at once leave one row per pair."""
    if language not in LANGUAGES:
        raise ValidationFailed()
    for (category, channel), enabled in chosen.items():
        if category not in CATEGORIES or channel not in CHANNELS:
            raise ValidationFailed()
        _set_choice(member_id, category, channel, enabled)
    statement = dialect_insert(MessageLanguage.__table__).values(
        member_id=member_id, language=language
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["member_id"], set_={"language": statement.excluded.language}
        )
    )


@use_case
def unsubscribe(member_id: int, category: str) -> None:
    """The e-mail's unsubscribe link: no more e-mail for this category."""
    if category not in CATEGORIES:
        raise ValidationFailed()
    _set_choice(member_id, category, "email", False)


def _set_choice(member_id: int, category: str, channel: str, enabled: bool) -> None:
    statement = dialect_insert(ChannelChoice.__table__).values(
        member_id=member_id, category=category, channel=channel, enabled=enabled
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["member_id", "category", "channel"],
            set_={"enabled": statement.excluded.enabled},
        )
    )
