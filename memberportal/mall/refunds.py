"""Giving the cash part back: owed in the cancelling transaction, requested from the payment
gateway after it commits, confirmed by the signed charge.refunded webhook.

A refund row is UNIQUE per payment intent, so a payment is refunded at most once however many
cancels, sweeps or webhook deliveries touch it; the gateway call carries an idempotency key
per row, so a retry after a lost answer asks for the same refund again.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update

from memberportal.audit import services as audit
from memberportal.core.actors import SystemActor
from memberportal.core.db import insert_once, use_case
from memberportal.extensions import db
from memberportal.mall.models import MallRefund
from memberportal.payments.gateway import get_gateway

log = logging.getLogger("memberportal.mall.refunds")
SWEEP = SystemActor(audit_label="mall refunds")
CANCELLED_REASON = "order cancelled"
LATE_REASON = "paid after the hold was released"


@use_case
def owe(
    order_id: int,
    payment_intent_id: str,
    amount_cents: int,
    reason: str,
    *,
    actor,
    now: datetime,
) -> bool:
    """Record that a payment must be given back (joins the caller's transaction).

    Writes one refund row in state `owed` and an audit row; returns False (and writes
    nothing) when this payment already has a refund. Concurrency: UNIQUE(payment_intent_id),
    so two cancels or two late-payment deliveries owe it once.
    """
    added = insert_once(
        MallRefund,
        order_id=order_id,
        payment_intent_id=payment_intent_id,
        amount_cents=amount_cents,
        reason=reason,
        state="owed",
        created_at=now,
    )
    if added:
        audit.record(
            "mall.refund_owed",
            actor=actor,
            subject_type="mall_order",
            subject_id=order_id,
            reason=reason,
            payment_intent=payment_intent_id,
            amount_cents=amount_cents,
        )
    return added


@use_case
def record_refunded(
    order_id: int, payment_intent_id: str, amount_cents: int, *, actor, now: datetime
) -> bool:
    """The processor reports the payment refunded (its webhook): mark the refund done.

    A refund made by hand at the processor has no row yet: one is written as refunded, so a
    later cancel does not ask for it again. Returns whether anything changed (False for a
    repeat). Concurrency: conditional UPDATE on the state, UNIQUE insert.
    """
    moved = db.session.execute(
        update(MallRefund)
        .where(MallRefund.payment_intent_id == payment_intent_id, MallRefund.state != "refunded")
        .values(state="refunded", refunded_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        moved = insert_once(
            MallRefund,
            order_id=order_id,
            payment_intent_id=payment_intent_id,
            amount_cents=max(amount_cents, 1),
            reason="refunded at the payment processor",
            state="refunded",
            created_at=now,
            refunded_at=now,
        )
    if moved:
        audit.record(
            "mall.refund_confirmed",
            actor=actor,
            subject_type="mall_order",
            subject_id=order_id,
            payment_intent=payment_intent_id,
        )
    return bool(moved)


def send_owed(order_id: int | None = None, *, now: datetime) -> tuple[int, int]:
    """Ask the gateway for every owed refund (of one order, or all); returns (requested,
    failed). Never inside a transaction: the rows are read, the transaction ends, then each
    network call is made and its answer written by a conditional UPDATE. A failure is kept
    on the row (still owed) for the next sweep."""
    query = select(MallRefund).where(MallRefund.state == "owed").order_by(MallRefund.id)
    if order_id is not None:
        query = query.where(MallRefund.order_id == order_id)
    rows = db.session.scalars(query)
    owed = [(r.id, r.order_id, r.payment_intent_id, r.amount_cents) for r in rows]
    db.session.rollback()  # no transaction stays open across the network calls
    requested = failed = 0
    for refund_id, order, payment_intent, amount in owed:
        try:
            answer = get_gateway().refund_payment(
                payment_intent,
                amount_cents=amount,
                idempotency_key=f"mall-refund-{refund_id}",
                metadata={"mall_order_id": str(order)},
            )
        except Exception as error:  # noqa: BLE001 - any gateway failure leaves it owed
            log.warning("refund %s for order %s failed: %s", refund_id, order, error)
            _note_failure(refund_id, order, str(error))
            failed += 1
            continue
        _mark_requested(refund_id, answer, now=now)
        requested += 1
    return requested, failed


@use_case
def _mark_requested(refund_id: int, processor_id: str | None, *, now: datetime) -> None:
    db.session.execute(
        update(MallRefund)
        .where(MallRefund.id == refund_id, MallRefund.state == "owed")
        .values(state="requested", requested_at=now, attempts=MallRefund.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if processor_id:
        db.session.execute(
            update(MallRefund)
            .where(MallRefund.id == refund_id, MallRefund.refund_id.is_(None))
            .values(refund_id=processor_id, requested_at=now)
            .execution_options(synchronize_session=False)
        )


@use_case
def _note_failure(refund_id: int, order_id: int, message: str) -> None:
    db.session.execute(
        update(MallRefund)
        .where(MallRefund.id == refund_id, MallRefund.state == "owed")
        .values(attempts=MallRefund.attempts + 1, last_error=message[:200])
        .execution_options(synchronize_session=False)
    )
    audit.record(
        "mall.refund_failed",
        actor=SWEEP,
        subject_type="mall_order",
        subject_id=order_id,
        error=message[:200],
    )
