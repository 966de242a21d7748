"""Fulfilment: handing over by pickup code, shipping and delivery. Every step is one
conditional UPDATE on the order's status, so two staff at once never both succeed."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select, update

from memberportal.audit import services as audit
from memberportal.core.clock import utcnow
from memberportal.core.db import use_case
from memberportal.core.errors import NotFound
from memberportal.extensions import db
from memberportal.mall.errors import AlreadyHandedOver, PickupCodeUnknown, WrongOrderState
from memberportal.mall.models import Order
from memberportal.notifications import outbox


def normalise_pickup_code(text: str) -> str:
    return re.sub(r"\D", "", text or "")


@use_case
def hand_over(pickup_code: str, *, actor, now: datetime) -> Order:
    """Hand over the order with this pickup code (ready for pickup -> fulfilled), in one step.

    Writes the status, who and when, and an audit row. Raises PickupCodeUnknown,
    AlreadyHandedOver (it was handed over before, perhaps a second ago by a colleague), or
    WrongOrderState (cancelled, awaiting payment). Concurrency: one conditional UPDATE, so of
    two staff scanning the same code at once exactly one succeeds.
    """
    code = normalise_pickup_code(pickup_code)
    if not code:
        raise PickupCodeUnknown()
    moved = db.session.execute(
        update(Order)
        .where(Order.pickup_code == code, Order.status == "ready_for_pickup")
        .values(status="fulfilled", fulfilled_at=now, fulfilled_by=actor.audit_label)
        .execution_options(synchronize_session=False)
    ).rowcount
    order = db.session.scalar(
        select(Order).where(Order.pickup_code == code).execution_options(populate_existing=True)
    )
    if order is None:
        raise PickupCodeUnknown()
    if not moved:
        if order.status == "fulfilled":
            raise AlreadyHandedOver()
        raise WrongOrderState()
    audit.record(
        "mall.order_handed_over",
        actor=actor,
        subject_type="mall_order",
        subject_id=order.id,
        pickup_code=code,
    )
    return order


@use_case
def ship(order_id: int, carrier: str, tracking_no: str, *, actor, now: datetime) -> Order:
    """Mark a placed shipped-kind order as shipped with its carrier and tracking number.
    Conditional on the order being placed; raises NotFound, WrongOrderState. Audited."""
    return _move(
        order_id,
        "placed",
        "shipped",
        "mall.order_shipped",
        actor=actor,
        values={
            "carrier": carrier.strip()[:64],
            "tracking_no": tracking_no.strip()[:64],
            "shipped_at": now,
        },
    )


@use_case
def mark_delivered(order_id: int, *, actor, now: datetime) -> Order:
    """A shipped order arrived: shipped -> fulfilled (conditional); audited."""
    return _move(
        order_id,
        "shipped",
        "fulfilled",
        "mall.order_delivered",
        actor=actor,
        values={"fulfilled_at": now, "fulfilled_by": actor.audit_label},
    )


def _move(order_id: int, source: str, target: str, action: str, *, actor, values) -> Order:
    moved = db.session.execute(
        update(Order)
        .where(Order.id == order_id, Order.status == source)
        .values(status=target, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    order = db.session.get(Order, order_id, populate_existing=True)
    if order is None:
        raise NotFound()
    if not moved:
        raise WrongOrderState()
    audit.record(
        action,
        actor=actor,
        subject_type="mall_order",
        subject_id=order_id,
        **{k: str(v) for k, v in values.items()},
    )
    outbox.order_changed(order, utcnow())
    return order
