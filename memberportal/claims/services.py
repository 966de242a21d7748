"""Claim use cases: a member submits, a cashier or manager approves (recording the purchase
through purchases.services.record_purchase, once) or rejects with a reason."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import exc, select, update

from memberportal.audit import services as audit
from memberportal.claims import receipts, rules
from memberportal.claims.errors import (
    AlreadyClaimed,
    ClaimAlreadyDecided,
    ClaimDayInFuture,
    ClaimNotFound,
    ClaimTooOld,
    ReceiptRequired,
    RejectReasonRequired,
    StoreRequired,
)
from memberportal.claims.models import (
    APPROVED,
    NOTE_MAX,
    PENDING,
    REASON_MAX,
    REJECTED,
    STORE_MAX,
    Claim,
)
from memberportal.core.clock import local_date
from memberportal.core.db import use_case
from memberportal.core.errors import ValidationFailed
from memberportal.core.money import check_cents
from memberportal.extensions import db
from memberportal.purchases import services as purchases

claims = Claim.__table__


@use_case
def submit_claim(
    member_id: int, *, store: str, purchased_on: date, amount_cents: int, receipt: bytes | None,
    note: str | None = None, actor, now: datetime,
) -> Claim:  # fmt: skip
    """The member claims a purchase that earned no points.

    Rules: a store, an amount above zero, a day in the last 30 brand-local days and not in
    the future, a receipt photo (checked like mall images and stored privately). Writes the
    claim (pending) and an audit row. Raises StoreRequired, ValidationFailed (amount),
    ClaimDayInFuture, ClaimTooOld, ReceiptRequired, InvalidImage, AlreadyClaimed (the same
    store, day and amount is already claimed and not rejected: a partial UNIQUE index decides,
    so a double submit makes one claim).
    """
    store = (store or "").strip()[:STORE_MAX]
    if not store:
        raise StoreRequired()
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise ValidationFailed(field="amount")
    check_cents(amount_cents)
    problem = rules.day_problem(purchased_on, local_date(now))
    if problem == "future":
        raise ClaimDayInFuture()
    if problem == "too_old":
        raise ClaimTooOld()
    if not receipt:
        raise ReceiptRequired()
    name = receipts.store_receipt(receipt)
    claim = Claim(
        member_id=member_id, store=store, purchased_on=purchased_on, amount_cents=amount_cents,
        receipt=name, note=(note or "").strip()[:NOTE_MAX] or None, status=PENDING,
        submitted_at=now,
    )  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.add(claim)
    except exc.IntegrityError:
        raise AlreadyClaimed() from None
    audit.record(
        "claim.submitted", actor=actor, subject_type="member", subject_id=member_id,
        claim_id=claim.id, store=store, day=str(purchased_on), amount_cents=amount_cents,
    )  # fmt: skip
    return claim


@use_case
def approve_claim(claim_id: int, *, actor, now: datetime) -> purchases.PurchaseResult:
    """A cashier or manager approves: the purchase is recorded through the normal path
    (purchases.services.record_purchase, source 'claim', order reference claim-<id>), so it
    earns points and growth by today's rules and releases a held referral like any purchase.

    Writes the purchase's rows, the claim's decision naming the purchase, an audit row.
    Raises ClaimNotFound, ClaimAlreadyDecided. Concurrency: the pending claim's row is taken
    first (a no-op conditional UPDATE, which locks it on PostgreSQL); a second approval or a
    rejection at the same moment waits, then finds it decided. The purchase's UNIQUE (source,
    order_ref) backs "once" as well.
    """
    claim_no, member_id, store, amount_cents = _take_pending(claim_id)
    result = purchases.record_purchase(
        member_id, amount_cents, rules.order_ref(claim_no), source=rules.SOURCE, actor=actor,
        now=now, store=store, note=f"claim {claim_no}",
    )  # fmt: skip
    _close(claim_id, APPROVED, actor=actor, now=now, purchase_id=result.purchase_id)
    audit.record(
        "claim.approved", actor=actor, subject_type="member", subject_id=member_id,
        claim_id=claim_id, purchase_id=result.purchase_id, amount_cents=amount_cents,
        points=result.points_earned,
    )  # fmt: skip
    return result


@use_case
def reject_claim(claim_id: int, reason: str, *, actor, now: datetime) -> None:
    """A cashier or manager rejects with a reason the member reads. Raises
    RejectReasonRequired, ClaimNotFound, ClaimAlreadyDecided (as approve_claim)."""
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise RejectReasonRequired()
    _claim_no, member_id, _store, _amount = _take_pending(claim_id)
    _close(claim_id, REJECTED, actor=actor, now=now, reject_reason=reason)
    audit.record(
        "claim.rejected", actor=actor, subject_type="member", subject_id=member_id,
        claim_id=claim_id, reason=reason,
    )  # fmt: skip


def _take_pending(claim_id: int):
    """Take the pending claim's row for this transaction: (id, member, store, amount)."""
    taken = db.session.execute(
        update(claims)
        .where(claims.c.id == claim_id, claims.c.status == PENDING)
        .values(status=claims.c.status)
        .returning(claims.c.id, claims.c.member_id, claims.c.store, claims.c.amount_cents)
    ).first()
    if taken is None:
        exists = db.session.scalar(select(claims.c.id).where(claims.c.id == claim_id))
        raise ClaimAlreadyDecided() if exists else ClaimNotFound()
    return taken


def _close(claim_id: int, status: str, *, actor, now, **values) -> None:
    closed = db.session.execute(
        update(claims)
        .where(claims.c.id == claim_id, claims.c.status == PENDING)
        .values(status=status, decided_at=now, decided_by=actor.audit_label, **values)
    ).rowcount
    if closed != 1:  # the row is ours since _take_pending; anything else is a bug
        raise ClaimAlreadyDecided()
