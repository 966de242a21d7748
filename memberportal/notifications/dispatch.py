"""Turning outbox events into deliveries, and delivering them.

`dispatch_batch` claims a batch of undispatched events, writes one delivery per event and
channel the member chose (UNIQUE per event, channel and target) and delivers the in-app ones
in the same transaction (an in-app notification is a row: UNIQUE per event). E-mail, texts and
webhooks are delivered one by one by `deliver`: a conditional UPDATE claims the delivery with
a lease, the message goes out outside any transaction, and a second conditional UPDATE records
the outcome; a failure is retried with exponential backoff until its channel gives up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, literal, or_, select, true, update

from memberportal.core.db import UTCDateTime, insert_once_statement, use_case
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.notifications import rules, webhooks
from memberportal.notifications.models import (
    CHANNELS,
    ChannelChoice,
    Delivery,
    Notification,
    NotificationEvent,
)

events = NotificationEvent.__table__
deliveries = Delivery.__table__
notifications = Notification.__table__
choices = ChannelChoice.__table__
members = Member.__table__
BATCH = 2000


@dataclass
class Dispatched:
    events: int = 0
    inapp: int = 0
    outgoing: list[int] = field(default_factory=list)


@use_case
def dispatch_batch(now: datetime, *, limit: int = BATCH) -> Dispatched:
    """Claim up to `limit` undispatched events and fan them out; deliver the in-app ones.

    Writes deliveries, notifications and the events' dispatched_at, in one transaction (a
    worker killed here leaves the events undispatched). Concurrency: the claim is one
    conditional UPDATE (on PostgreSQL over rows locked with SKIP LOCKED), so two workers
    claim disjoint batches; deliveries and notifications are INSERT ... ON CONFLICT DO
    NOTHING on their UNIQUE keys, so a replay writes nothing twice.
    """
    batch = (
        select(events.c.id)
        .where(events.c.dispatched_at.is_(None))
        .order_by(events.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(
        db.session.execute(
            update(events)
            .where(events.c.id.in_(batch.scalar_subquery()), events.c.dispatched_at.is_(None))
            .values(dispatched_at=now)
            .returning(events.c.id)
        ).scalars()
    )
    if not ids:
        return Dispatched()
    for channel in CHANNELS:
        _fan_out(ids, channel, now)
    webhooks.fan_out(ids, now)
    inapp = _deliver_inapp(ids, now)
    outgoing = db.session.scalars(
        select(deliveries.c.id).where(
            deliveries.c.event_id.in_(ids),
            deliveries.c.channel != "inapp",
            deliveries.c.status == "pending",
        )
    ).all()
    return Dispatched(len(ids), inapp, list(outgoing))


def _fan_out(ids: list[int], channel: str, now: datetime) -> None:
    chosen = func.coalesce(choices.c.enabled, rules.DEFAULT_CHANNELS[channel])
    reachable = {
        "inapp": true(),
        "email": members.c.email.is_not(None),
        "sms": members.c.phone.is_not(None),
    }[channel]
    at = literal(now, UTCDateTime())
    rows = (
        select(events.c.id, literal(channel), literal(""), literal("pending"), literal(0), at, at)
        .join(members, members.c.id == events.c.member_id)
        .outerjoin(
            choices,
            and_(
                choices.c.member_id == events.c.member_id,
                choices.c.category == events.c.category,
                choices.c.channel == channel,
            ),
        )
        .where(events.c.id.in_(ids), chosen == true(), reachable)
    )
    columns = ["event_id", "channel", "target", "status", "attempts", "next_attempt_at"]
    db.session.execute(
        insert_once_statement(deliveries, rows=rows, columns=[*columns, "created_at"])
    )


def _deliver_inapp(ids: list[int], now: datetime) -> int:
    rows = select(
        events.c.member_id, events.c.id, events.c.kind, events.c.payload, events.c.created_at
    ).where(
        events.c.id.in_(
            select(deliveries.c.event_id).where(
                deliveries.c.event_id.in_(ids), deliveries.c.channel == "inapp"
            )
        )
    )
    columns = ["member_id", "event_id", "kind", "payload", "created_at"]
    db.session.execute(insert_once_statement(notifications, rows=rows, columns=columns))
    return db.session.execute(
        update(deliveries)
        .where(
            deliveries.c.event_id.in_(ids),
            deliveries.c.channel == "inapp",
            deliveries.c.status == "pending",
        )
        .values(status="delivered", attempts=1, delivered_at=now)
    ).rowcount


def dispatch_all(now: datetime, *, limit: int = BATCH) -> Dispatched:
    """Dispatch every waiting event, a batch per transaction."""
    total = Dispatched()
    while True:
        done = dispatch_batch(now, limit=limit)
        if not done.events:
            return total
        total.events += done.events
        total.inapp += done.inapp
        total.outgoing += done.outgoing


# --- one outgoing delivery -------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    attempts: int
    channel: str
    target: str
    event_id: int
    created_at: datetime


@use_case
def claim(delivery_id: int, now: datetime) -> Claim | None:
    """Take a pending, due delivery for one attempt (a lease of _lease()); None when it is
    delivered, given up, not yet due or held by another worker. One conditional UPDATE."""
    row = db.session.execute(
        update(deliveries)
        .where(
            deliveries.c.id == delivery_id,
            deliveries.c.status == "pending",
            deliveries.c.next_attempt_at <= now,
            or_(deliveries.c.leased_until.is_(None), deliveries.c.leased_until < now),
        )
        .values(attempts=deliveries.c.attempts + 1, leased_until=now + _lease())
        .returning(
            deliveries.c.attempts,
            deliveries.c.channel,
            deliveries.c.target,
            deliveries.c.event_id,
            deliveries.c.created_at,
        )
    ).first()
    return Claim(delivery_id, *row) if row else None


@use_case
def record_success(held: Claim, now: datetime) -> bool:
    """The attempt went through: delivered (only by the worker holding this attempt)."""
    return bool(
        db.session.execute(
            update(deliveries)
            .where(_held(held))
            .values(status="delivered", delivered_at=now, leased_until=None, last_error=None)
        ).rowcount
    )


@use_case
def record_failure(held: Claim, error: str, now: datetime) -> datetime | None:
    """The attempt failed: try again after the backoff, or give up (status failed) once the
    channel's retry period is over. Returns when to try again, or None when given up."""
    retry_at = rules.next_attempt(held.channel, held.created_at, held.attempts, now)
    values = {"leased_until": None, "last_error": error[:500]}
    if retry_at is None:
        values["status"] = "failed"
    else:
        values["next_attempt_at"] = retry_at
    db.session.execute(update(deliveries).where(_held(held)).values(**values))
    return retry_at


def _lease() -> timedelta:
    """How long a worker holds a claimed delivery before another may try it (longer than a
    send can take: the SMTP and webhook timeouts are 10 s)."""
    return timedelta(seconds=current_app.config["NOTIFY_LEASE_SECONDS"])


def _held(held: Claim):
    return and_(
        deliveries.c.id == held.delivery_id,
        deliveries.c.status == "pending",
        deliveries.c.attempts == held.attempts,
    )


def due_deliveries(now: datetime, *, limit: int = 1000) -> list[int]:
    """Outgoing deliveries that are due and held by no worker (a lost job, a killed worker,
    a retry whose time has come): what the sweep hands to the queue again."""
    return list(
        db.session.scalars(
            select(deliveries.c.id)
            .where(
                deliveries.c.status == "pending",
                deliveries.c.next_attempt_at <= now,
                or_(deliveries.c.leased_until.is_(None), deliveries.c.leased_until < now),
            )
            .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
            .limit(limit)
        )
    )
