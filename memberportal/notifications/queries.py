"""Reads scoped to the member who may see them."""

from __future__ import annotations

from sqlalchemy import func, select

from memberportal.extensions import db
from memberportal.notifications.models import (
    CATEGORIES,
    CHANNELS,
    ChannelChoice,
    MessageLanguage,
    Notification,
)
from memberportal.notifications.rules import DEFAULT_CHANNELS


def unread_count(member_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.member_id == member_id, Notification.read_at.is_(None))
    )


def notifications_for_member(
    member_id: int, *, before: int | None = None, limit: int = 20
) -> list[Notification]:
    """The member's notifications, newest first, a page at a time (keyset on id)."""
    query = select(Notification).where(Notification.member_id == member_id)
    if before is not None:
        query = query.where(Notification.id < before)
    return list(db.session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def choices_for_member(member_id: int) -> dict[tuple[str, str], bool]:
    """Every (category, channel) with the member's choice, or the default."""
    saved = {
        (c.category, c.channel): c.enabled
        for c in db.session.scalars(
            select(ChannelChoice).where(ChannelChoice.member_id == member_id)
        )
    }
    return {
        (category, channel): saved.get((category, channel), DEFAULT_CHANNELS[channel])
        for category in CATEGORIES
        for channel in CHANNELS
    }


def language_for_member(member_id: int) -> str | None:
    chosen = db.session.get(MessageLanguage, member_id)
    return chosen.language if chosen else None
