"""Helpers for notification tests: the rows a member or an operator would look at."""

from __future__ import annotations

from sqlalchemy import select

from memberportal.extensions import db
from memberportal.notifications.models import Delivery, Notification, NotificationEvent


def events(member_id: int | None = None) -> list[tuple[str, dict]]:
    query = select(NotificationEvent).order_by(NotificationEvent.id)
    if member_id is not None:
        query = query.where(NotificationEvent.member_id == member_id)
    return [(e.kind, e.payload) for e in db.session.scalars(query)]


def inbox(member_id: int) -> list[tuple[str, dict]]:
    db.session.expire_all()
    query = select(Notification).where(Notification.member_id == member_id)
    return [(n.kind, n.payload) for n in db.session.scalars(query.order_by(Notification.id))]


def deliveries(channel: str | None = None) -> list[Delivery]:
    db.session.expire_all()
    query = select(Delivery).order_by(Delivery.id)
    if channel:
        query = query.where(Delivery.channel == channel)
    return list(db.session.scalars(query))
