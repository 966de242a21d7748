"""The outbox: events written in the same transaction as the change that caused them.

Other areas call one function here, inside their use case; the event commits or rolls back
with the change. After the commit a worker is woken (see queue.wake_after_commit); if none is
reachable the row waits in the table until one is, so nothing is dropped.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from memberportal.core.clock import local_date
from memberportal.core.db import insert_once, insert_once_statement
from memberportal.extensions import db
from memberportal.notifications.models import NotificationEvent
from memberportal.notifications.rules import category_of

events = NotificationEvent.__table__


def emit(kind: str, *, member_id: int | None, payload: dict, key: str, now: datetime) -> bool:
    """Write one event (once per kind and key: UNIQUE dedupe_key) in the caller's transaction.
    Returns True when this call wrote it."""
    db.session.info["notifications.wake"] = True
    return insert_once(
        NotificationEvent,
        kind=kind,
        category=category_of(kind),
        member_id=member_id,
        payload=payload,
        dedupe_key=f"{kind}:{key}",
        created_at=now,
    )


def emit_many(kind: str, rows: list[dict], *, now: datetime) -> int:
    """Many events of one kind in one statement; each row has member_id, payload and key."""
    if not rows:
        return 0
    db.session.info["notifications.wake"] = True
    values = [
        {
            "kind": kind,
            "category": category_of(kind),
            "member_id": r["member_id"],
            "payload": r["payload"],
            "dedupe_key": f"{kind}:{r['key']}",
            "created_at": now,
        }
        for r in rows
    ]
    db.session.execute(insert_once_statement(events), values)
    return len(values)


# --- the hooks other areas call (one line each, inside their use case) ----------------------


def points_expired(batch: str, now: datetime) -> None:
    """Points expired by `points.expiry.expire_due`: one event per member, with the total."""
    from memberportal.points.models import LedgerEntry

    lots = LedgerEntry.__table__  # a lot is the earn entry that opened it
    totals = db.session.execute(
        select(lots.c.member_id, func.sum(lots.c.expired_points))
        .where(lots.c.expired_batch == batch)
        .group_by(lots.c.member_id)
    ).all()
    rows = [
        {"member_id": m, "payload": {"points": int(p)}, "key": f"{batch}:{m}"} for m, p in totals
    ]
    emit_many("points.expired", rows, now=now)


def warn_expiring(now: datetime, *, days: int | None = None) -> int:
    """Warn each member of the points that lapse within the warning window, once per member
    and expiry day (the key), however often it runs. Returns the warnings written."""
    from memberportal.points.models import LedgerEntry

    days = days or current_app.config.get("NOTIFY_EXPIRY_WARNING_DAYS", 30)
    lots = LedgerEntry.__table__  # only earn entries, the lots, have a `remaining`
    due = db.session.execute(
        select(lots.c.member_id, lots.c.expires_at, func.sum(lots.c.remaining))
        .where(
            lots.c.remaining > 0,
            lots.c.expires_at > now,
            lots.c.expires_at <= now + timedelta(days=days),
        )
        .group_by(lots.c.member_id, lots.c.expires_at)
        .order_by(lots.c.member_id, lots.c.expires_at)
    ).all()
    rows = []
    for member_id, expires_at, points in due:
        day = local_date(expires_at).isoformat()
        rows.append(
            {
                "member_id": member_id,
                "payload": {"points": int(points), "expires_on": day},
                "key": f"{member_id}:{expires_at.isoformat()}",
            }
        )
    return emit_many("points.expiring", rows, now=now)


def tier_moved(member_id: int, old, new, now: datetime) -> None:
    """A member moved between tiers (`tiers.services._move`, once by its conditional UPDATE)."""
    emit(
        "tier.up" if new.rank > old.rank else "tier.down",
        member_id=member_id,
        payload={"old": _names(old), "new": _names(new)},
        key=uuid.uuid4().hex,
        now=now,
    )


ORDER_KINDS = {
    "ready_for_pickup": "mall.order_ready",
    "shipped": "mall.order_shipped",
    "cancelled": "mall.order_cancelled",
}


def order_changed(order, now: datetime) -> None:
    """A mall order reached a status the member hears about (ready, shipped, cancelled)."""
    kind = ORDER_KINDS.get(order.status)
    if kind is None:
        return
    payload = {"order_id": order.id, "item": _names(order.item)}
    if order.status == "shipped":
        payload |= {"carrier": order.carrier, "tracking_no": order.tracking_no}
    emit(kind, member_id=order.member_id, payload=payload, key=str(order.id), now=now)


def membership_changed(membership, kind: str, key: str, now: datetime) -> None:
    """The paid card was renewed, a payment failed, or the card is ending."""
    end = membership.current_period_end
    emit(
        kind,
        member_id=membership.member_id,
        payload={
            "plan": _names(membership.plan),
            "period_end": local_date(end).isoformat() if end else None,
        },
        key=key,
        now=now,
    )


def invoice_paid(membership, invoice: dict, now: datetime) -> None:
    """A paid invoice renews the card when it is the subscription's next cycle."""
    if invoice.get("billing_reason") == "subscription_cycle":
        membership_changed(membership, "membership.renewed", invoice["id"], now)


def membership_updated(membership, *, was_ending: bool, now: datetime) -> None:
    """The card was set to end at the period's end, or ended: the member is told once."""
    ending = membership.cancel_at_period_end or membership.status == "ended"
    if ending and not was_ending:
        end = membership.current_period_end
        key = f"{membership.id}:{end.isoformat() if end else membership.status}"
        membership_changed(membership, "membership.ending", key, now)


def coupon_issued(coupon_id: int, member_id: int, template, expires_at, now: datetime) -> None:
    """A coupon reached a member (called only for a row really inserted: once per coupon)."""
    emit(
        "coupon.issued",
        member_id=member_id,
        payload={
            "coupon_id": coupon_id,
            "name": _names(template),
            "amount_cents": template.amount_cents,
            "expires_on": local_date(expires_at).isoformat(),
        },
        key=str(coupon_id),
        now=now,
    )


def warn_expiring_coupons(now: datetime, *, days: int | None = None) -> int:
    """Warn of each unused coupon that expires within the warning window, once per coupon
    (the key), however often it runs. Returns the warnings offered (rows already written are
    skipped by the UNIQUE key)."""
    from memberportal.coupons.models import Coupon, CouponTemplate

    days = days or current_app.config.get("NOTIFY_COUPON_WARNING_DAYS", 3)
    due = db.session.execute(
        select(Coupon.id, Coupon.member_id, Coupon.amount_cents, Coupon.expires_at,
               CouponTemplate.name_zh, CouponTemplate.name_en)
        .join(CouponTemplate, CouponTemplate.id == Coupon.template_id)
        .where(
            Coupon.state == "issued",
            Coupon.expires_at > now,
            Coupon.expires_at <= now + timedelta(days=days),
        )
        .order_by(Coupon.id)
    ).all()  # fmt: skip
    rows = [
        {
            "member_id": member_id,
            "payload": {
                "coupon_id": coupon_id,
                "name": {"zh": name_zh, "en": name_en},
                "amount_cents": amount,
                "expires_on": local_date(expires_at).isoformat(),
            },
            "key": str(coupon_id),
        }
        for coupon_id, member_id, amount, expires_at, name_zh, name_en in due
    ]
    return emit_many("coupon.expiring", rows, now=now)


def wallet_moved(kind: str, member_id: int, *, key: str, now: datetime, **amounts) -> None:
    """Stored value moved (or was frozen): `kind` is topup_credited, payment_taken,
    payment_refunded, topup_refunded or frozen; `amounts` are integer fen (and flags) the
    message shows. Called by the wallet's use cases after their conditional UPDATE decided."""
    emit(f"wallet.{kind}", member_id=member_id, payload=amounts, key=key, now=now)


def _names(thing) -> dict:
    return {"zh": thing.name_zh, "en": thing.name_en}
