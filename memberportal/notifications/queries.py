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


def webhook_endpoints() -> list:
    from memberportal.notifications.models import WebhookEndpoint

    return list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def webhook_log(endpoint_id: int, *, limit: int = 50) -> list[dict]:
    """The endpoint's latest deliveries, newest first, each with its event and attempts."""
    from memberportal.notifications.models import Delivery, NotificationEvent, WebhookAttempt

    rows = db.session.execute(
        select(Delivery, NotificationEvent.kind)
        .join(NotificationEvent, NotificationEvent.id == Delivery.event_id)
        .where(Delivery.channel == "webhook", Delivery.target == str(endpoint_id))
        .order_by(Delivery.id.desc())
        .limit(limit)
    ).all()
    attempts: dict[int, list] = {}
    ids = [d.id for d, _ in rows]
    if ids:
        for a in db.session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(ids))
            .order_by(WebhookAttempt.id)
        ):
            attempts.setdefault(a.delivery_id, []).append(a)
    return [{"delivery": d, "kind": k, "attempts": attempts.get(d.id, [])} for d, k in rows]
