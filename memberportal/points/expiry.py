"""Expiry of points: every due lot at once, in set-based SQL, safe to run twice or on two hosts.

A lot is the `earn` entry that opened it: only earn entries carry `remaining`.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, insert, literal, null, select, update

from memberportal.core.actors import SystemActor
from memberportal.core.db import UTCDateTime, use_case
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.notifications import outbox
from memberportal.points.models import EXPIRE, LedgerEntry
from memberportal.points.rows import forget_member

members = Member.__table__
entries = LedgerEntry.__table__
EXPIRY_ACTOR = SystemActor(audit_label="points expiry")


@use_case
def expire_due(now: datetime, *, member_id: int | None = None, actor=EXPIRY_ACTOR) -> int:
    """Expire every open lot whose expiry has passed, in set-based SQL; return lots expired.

    Writes: each due lot (remaining -> 0, stamped with this run's batch), one `expire` entry
    per lot, each member's balance. Safe twice or on two hosts at once: members are locked in
    key order first, and a lot is claimed by `UPDATE ... WHERE remaining > 0`, so a second run
    finds nothing left to expire.
    """
    batch = uuid.uuid4().hex
    due = and_(entries.c.remaining > 0, entries.c.expires_at <= now)
    if member_id is not None:
        due = and_(due, entries.c.member_id == member_id)
    if db.session.get_bind().dialect.name == "postgresql":
        # Only against deadlocks: take the members' rows in key order before the balance
        # UPDATE below. Correctness does not rest on it: a lot is claimed by the conditional
        # UPDATE (remaining > 0), and SQLite serialises writers anyway.
        db.session.execute(
            select(members.c.id)
            .where(members.c.id.in_(select(entries.c.member_id).where(due)))
            .order_by(members.c.id)
            .with_for_update()
        )
    claimed = db.session.execute(
        update(entries)
        .where(due)
        .values(expired_batch=batch, expired_points=entries.c.remaining, remaining=0)
    ).rowcount
    if not claimed:
        return 0
    _expire_entries(batch, actor, now)
    outbox.points_expired(batch, now)  # the members are told, in this transaction
    # One aggregate per member, joined (UPDATE ... FROM), not a subquery per member.
    totals = (
        select(entries.c.member_id, db.func.sum(entries.c.expired_points).label("total"))
        .where(entries.c.expired_batch == batch)
        .group_by(entries.c.member_id)
        .subquery()
    )
    db.session.execute(
        update(members)
        .where(members.c.id == totals.c.member_id)
        .values(points_balance=members.c.points_balance - totals.c.total)
    )
    if member_id is None:
        db.session.expire_all()
    else:
        forget_member(member_id)
    return claimed


def _expire_entries(batch: str, actor, now: datetime) -> None:
    columns = [
        "member_id", "entry_type", "kind", "points", "debt_points", "lot_id", "source_type",
        "source_id", "expires_at", "actor_kind", "actor_id", "actor_label", "at",
    ]  # fmt: skip
    rows = select(
        entries.c.member_id,
        literal(EXPIRE),
        literal("expire"),
        -entries.c.expired_points,
        literal(0),
        entries.c.id,
        literal("lot"),
        entries.c.id,
        entries.c.expires_at,
        literal(actor.actor_kind),
        null() if actor.actor_id is None else literal(actor.actor_id),
        literal(actor.audit_label),
        literal(now, UTCDateTime()),
    ).where(entries.c.expired_batch == batch)
    db.session.execute(insert(entries).from_select(columns, rows))
