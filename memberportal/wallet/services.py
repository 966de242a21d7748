"""Stored-value use cases: each one transaction (@use_case), conditional UPDATEs of the wallet
row (CHECK >= 0 behind them) and an append-only entry for every change.

Every change of a balance first takes the wallet row (`_lock`: a no-op UPDATE, so PostgreSQL
locks it and SQLite takes its write lock), decides from the values as locked, then writes with
an UPDATE whose WHERE repeats the rule, so a wrong decision can only refuse, never overdraw.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from memberportal.audit import services as audit
from memberportal.core.db import insert_once, insert_once_statement, use_case
from memberportal.core.errors import NotFound, ValidationFailed
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.notifications import outbox
from memberportal.points import ledger as points_ledger
from memberportal.points.services import expiry_for
from memberportal.wallet import rules
from memberportal.wallet.errors import (
    DuplicatePayment,
    DuplicateRefund,
    InsufficientBalance,
    PlanNotAvailable,
    RefundExceedsPayment,
    TopUpNotRefundable,
    WalletFrozen,
)
from memberportal.wallet.models import (
    Spend,
    SpendRefund,
    TopUp,
    TopUpPlan,
    Wallet,
    WalletEntry,
)

wallets = Wallet.__table__


def _lock(member_id: int, now: datetime) -> tuple[int, int, int]:
    """The member's wallet row, created if missing and locked for this transaction:
    (principal, bonus, open disputes) as locked."""
    lock = (
        update(wallets)
        .where(wallets.c.member_id == member_id)
        .values(updated_at=now)
        .returning(wallets.c.principal_cents, wallets.c.bonus_cents, wallets.c.open_disputes)
    )
    row = db.session.execute(lock).first()
    if row is None:  # the first top-up (or a spend refused for want of a wallet)
        insert_once(Wallet, member_id=member_id, principal_cents=0, bonus_cents=0,
                    open_disputes=0, updated_at=now)  # fmt: skip
        row = db.session.execute(lock).one()
    return row[0], row[1], row[2]


def _move(member_id: int, parts: rules.Parts, *, now: datetime, spending: bool = False) -> None:
    """Add `parts` (negative to take) to the wallet, only if neither part goes below zero
    (and, when spending, only while no dispute is open)."""
    where = [
        wallets.c.member_id == member_id,
        wallets.c.principal_cents + parts.principal_cents >= 0,
        wallets.c.bonus_cents + parts.bonus_cents >= 0,
    ]
    if spending:
        where.append(wallets.c.open_disputes == 0)
    moved = db.session.execute(
        update(wallets)
        .where(*where)
        .values(
            principal_cents=wallets.c.principal_cents + parts.principal_cents,
            bonus_cents=wallets.c.bonus_cents + parts.bonus_cents,
            updated_at=now,
        )
    ).rowcount
    if not moved:
        raise InsufficientBalance()


def _entry(member_id: int, kind: str, parts: rules.Parts, *, actor, now, **fields) -> None:
    if parts.principal_cents == 0 and parts.bonus_cents == 0:
        return
    db.session.add(
        WalletEntry(
            member_id=member_id, kind=kind, principal_cents=parts.principal_cents,
            bonus_cents=parts.bonus_cents, actor_kind=actor.actor_kind,
            actor_id=actor.actor_id, actor_label=actor.audit_label, at=now, **fields,
        )
    )  # fmt: skip


# --- top-ups ------------------------------------------------------------------------------


@use_case
def start_topup(plan_id: int, member_id: int, *, actor, now: datetime) -> TopUp:
    """A pending top-up of `plan_id` for the member, at the plan's amounts as of now.

    Rule: the plan is active, within its window and the member's tier is at least its minimum.
    Writes one pending wallet_topups row (nothing is credited: only the verified webhook
    credits). Raises PlanNotAvailable."""
    plan = db.session.get(TopUpPlan, plan_id)
    member = db.session.get(Member, member_id)
    if plan is None or member is None or not plan.on_sale(now):
        raise PlanNotAvailable()
    if plan.min_tier is not None and member.tier.growth_threshold < plan.min_tier.growth_threshold:
        raise PlanNotAvailable()
    topup = TopUp(
        member_id=member_id, plan_id=plan.id, pay_cents=plan.pay_cents,
        bonus_cents=plan.bonus_cents, bonus_points=plan.bonus_points, state="pending",
        created_at=now,
    )  # fmt: skip
    db.session.add(topup)
    db.session.flush()
    return topup


@use_case
def attach_session(topup_id: int, session_id: str) -> None:
    """Remember the checkout opened for a pending top-up (its webhook names it)."""
    db.session.execute(
        update(TopUp)
        .where(TopUp.id == topup_id, TopUp.state == "pending")
        .values(checkout_session_id=session_id)
        .execution_options(synchronize_session=False)
    )


@use_case
def credit_topup(
    topup_id: int, *, amount_cents: int, payment_intent: str | None, session_id: str,
    actor, now: datetime,
) -> bool:  # fmt: skip
    """A verified paid checkout credits its top-up: principal += paid, bonus += the plan's
    bonus, and the bonus points are earned. Returns False (and writes nothing) for a top-up
    already credited or an amount that is not the top-up's.

    Concurrency: the conditional UPDATE pending/expired -> paid decides; of any number of
    deliveries of the same payment exactly one credits."""
    topup = db.session.get(TopUp, topup_id)
    if topup is None or amount_cents != topup.pay_cents:
        return False
    moved = db.session.execute(
        update(TopUp)
        .where(TopUp.id == topup_id, TopUp.state.in_(("pending", "expired")))
        .values(
            state="paid",
            paid_at=now,
            payment_intent_id=payment_intent,
            checkout_session_id=session_id,
        )  # fmt: skip
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        return False
    parts = rules.Parts(topup.pay_cents, topup.bonus_cents)
    _lock(topup.member_id, now)
    _move(topup.member_id, parts, now=now)
    _entry(topup.member_id, "topup", parts, actor=actor, now=now, topup_id=topup.id,
           reference=payment_intent)  # fmt: skip
    if topup.bonus_points:
        points_ledger.earn(
            topup.member_id, topup.bonus_points, kind="wallet_bonus",
            source_type="wallet_topup", source_id=topup.id, expires_at=expiry_for(now),
            actor=actor, now=now,
        )  # fmt: skip
    outbox.wallet_moved(
        "topup_credited",
        topup.member_id,
        key=str(topup.id),
        now=now,
        pay_cents=topup.pay_cents,
        bonus_cents=topup.bonus_cents,
    )
    audit.record("wallet.topup_paid", actor=actor, subject_type="member",
                 subject_id=topup.member_id, topup=topup.id, pay_cents=topup.pay_cents,
                 bonus_cents=topup.bonus_cents, payment_intent=payment_intent)  # fmt: skip
    return True


@use_case
def expire_topup(session_id: str, *, now: datetime) -> bool:
    """The checkout of a pending top-up expired unpaid (conditional: a paid one stays)."""
    return bool(
        db.session.execute(
            update(TopUp)
            .where(TopUp.checkout_session_id == session_id, TopUp.state == "pending")
            .values(state="expired")
            .execution_options(synchronize_session=False)
        ).rowcount
    )


@use_case
def refund_topup(topup_id: int, *, actor, now: datetime, chargeback: bool = False) -> TopUp:
    """Refund a paid top-up: the unspent principal (what is still in the wallet, up to what
    the top-up paid) is returned through the gateway, the unspent bonus (up to what it gave)
    is forfeited. With `chargeback` (the bank decided a dispute against the brand) the same
    amounts leave the wallet but nothing is sent: the bank already returned the payment.

    Writes: the top-up (paid -> refunding / charged_back, conditional), the wallet (minus the
    two parts, conditional), one entry, the top-up's bonus points taken back (points ledger
    claw-back: what was spent becomes a points debt), an audit row. The gateway is asked
    after the commit (payments.send_topup_refund). Raises TopUpNotRefundable (not paid, or
    already refunded). Concurrency: the state UPDATE decides; two refunds of one top-up
    refund once."""
    target = "charged_back" if chargeback else "refunding"
    row = db.session.execute(
        update(TopUp)
        .where(TopUp.id == topup_id, TopUp.state == "paid")
        .values(state=target)
        .returning(TopUp.member_id, TopUp.pay_cents, TopUp.bonus_cents, TopUp.bonus_points)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        raise TopUpNotRefundable()
    member_id, pay, bonus, bonus_points = row
    principal, held_bonus, _disputes = _lock(member_id, now)
    back, forfeit = rules.topup_refund(pay, bonus, principal, held_bonus)
    _move(member_id, rules.Parts(-back, -forfeit), now=now)
    db.session.execute(
        update(TopUp)
        .where(TopUp.id == topup_id)
        .values(
            refunded_principal_cents=back,
            forfeited_bonus_cents=forfeit,
            refunded_at=now if chargeback or back == 0 else None,
            state="refunded" if not chargeback and back == 0 else target,
        )  # fmt: skip
        .execution_options(synchronize_session=False)
    )
    kind = "chargeback" if chargeback else "topup_refund"
    _entry(member_id, kind, rules.Parts(-back, -forfeit), actor=actor, now=now,
           topup_id=topup_id)  # fmt: skip
    if bonus_points:
        # Like a refunded purchase: the points the top-up gave go back (spent ones as a debt).
        points_ledger.claw_back(
            member_id, bonus_points, kind="wallet_bonus", source_type="wallet_topup",
            source_id=topup_id, actor=actor, now=now,
        )  # fmt: skip
    outbox.wallet_moved(
        "topup_refunded",
        member_id,
        key=str(topup_id),
        now=now,
        principal_cents=back,
        bonus_cents=forfeit,
        chargeback=chargeback,
    )
    audit.record(f"wallet.{kind}", actor=actor, subject_type="member", subject_id=member_id,
                 topup=topup_id, principal_returned_cents=back,
                 bonus_forfeited_cents=forfeit)  # fmt: skip
    topup = db.session.get(TopUp, topup_id)
    db.session.refresh(topup)
    return topup


@use_case
def confirm_topup_refunded(topup_id: int, refund_id: str | None, *, now: datetime) -> bool:
    """The gateway's refund webhook closes a refunding top-up (conditional; repeats no-op)."""
    return bool(
        db.session.execute(
            update(TopUp)
            .where(TopUp.id == topup_id, TopUp.state == "refunding")
            .values(state="refunded", refunded_at=now, refund_id=refund_id)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


# --- spending -----------------------------------------------------------------------------


@use_case
def spend(
    member_id: int, amount_cents: int, *, source: str, order_ref: str, actor, now: datetime
) -> Spend:
    """Pay `amount_cents` from the member's stored value, principal and bonus in the
    proportion the wallet holds them (rules.split_spend).

    Writes: one wallet_spends row (UNIQUE source + order_ref), the wallet (conditional
    UPDATE: both parts stay >= 0, no open dispute), one entry, an audit row. Raises
    ValidationFailed (amount <= 0), WalletFrozen, InsufficientBalance, DuplicatePayment.
    Concurrency: the wallet row is locked before the split is decided and the UPDATE repeats
    the rule; of many spends at once exactly those the balance covers succeed."""
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise ValidationFailed()
    order_ref = (order_ref or "").strip()[:64]
    principal, bonus, disputes = _lock(member_id, now)
    if disputes:
        raise WalletFrozen()
    if principal + bonus < amount_cents:
        raise InsufficientBalance()
    parts = rules.split_spend(amount_cents, principal, bonus)
    values = dict(
        member_id=member_id, source=source, order_ref=order_ref, amount_cents=amount_cents,
        principal_cents=parts.principal_cents, bonus_cents=parts.bonus_cents, refunded_cents=0,
        actor_label=actor.audit_label, at=now,
    )  # fmt: skip
    spend_id = db.session.execute(
        insert_once_statement(
            Spend.__table__,
            values=values,
            conflict=["source", "order_ref"],
            returning=(Spend.id,),
        )  # fmt: skip
    ).scalar()
    if spend_id is None:
        raise DuplicatePayment()
    found = Spend(id=spend_id, **values)  # the row as written (not read again)
    _move(member_id, rules.Parts(-parts.principal_cents, -parts.bonus_cents), now=now,
          spending=True)  # fmt: skip
    _entry(member_id, "spend", rules.Parts(-parts.principal_cents, -parts.bonus_cents),
           actor=actor, now=now, spend_id=found.id, reference=order_ref)  # fmt: skip
    outbox.wallet_moved(
        "payment_taken",
        member_id,
        key=str(found.id),
        now=now,
        amount_cents=amount_cents,
        order_ref=order_ref,
    )
    audit.record("wallet.spent", actor=actor, subject_type="member", subject_id=member_id,
                 spend=found.id, amount_cents=amount_cents, order_ref=order_ref,
                 principal_cents=parts.principal_cents, bonus_cents=parts.bonus_cents)  # fmt: skip
    return found


@use_case
def refund_spend(
    spend_id: int, amount_cents: int, *, refund_ref: str, actor, now: datetime,
    reason: str | None = None,
) -> SpendRefund:  # fmt: skip
    """Give back all or part of a spend, principal and bonus in the spend's own proportion
    (rules.refund_parts), to the same wallet.

    Writes: the spend's refunded total (conditional: never past its amount), one
    wallet_spend_refunds row (UNIQUE spend + refund_ref), the wallet, one entry, an audit row.
    Raises ValidationFailed, UnknownPayment, RefundExceedsPayment, DuplicateRefund.
    Concurrency: the conditional UPDATE of the spend decides; refunds racing each other never
    return more than was spent."""
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise ValidationFailed()
    row = db.session.execute(
        update(Spend)
        .where(Spend.id == spend_id, Spend.refunded_cents + amount_cents <= Spend.amount_cents)
        .values(refunded_cents=Spend.refunded_cents + amount_cents)
        .returning(
            Spend.member_id, Spend.refunded_cents, Spend.principal_cents, Spend.bonus_cents
        )  # fmt: skip
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        if db.session.get(Spend, spend_id) is None:
            raise NotFound()
        raise RefundExceedsPayment()
    member_id, after, spent_principal, spent_bonus = row
    parts = rules.refund_parts(
        rules.Parts(spent_principal, spent_bonus), after - amount_cents, after
    )
    refund_ref = (refund_ref or "").strip()[:64]
    if not insert_once(
        SpendRefund, spend_id=spend_id, refund_ref=refund_ref, amount_cents=amount_cents,
        principal_cents=parts.principal_cents, bonus_cents=parts.bonus_cents,
        reason=(reason or "").strip()[:500] or None, at=now,
    ):  # fmt: skip
        raise DuplicateRefund()
    _lock(member_id, now)
    _move(member_id, parts, now=now)
    _entry(member_id, "spend_refund", parts, actor=actor, now=now, spend_id=spend_id,
           reference=refund_ref)  # fmt: skip
    outbox.wallet_moved(
        "payment_refunded",
        member_id,
        key=f"{spend_id}:{refund_ref}",
        now=now,
        amount_cents=amount_cents,
    )
    audit.record("wallet.spend_refunded", actor=actor, subject_type="member",
                 subject_id=member_id, spend=spend_id, amount_cents=amount_cents,
                 principal_cents=parts.principal_cents, bonus_cents=parts.bonus_cents,
                 reason=reason)  # fmt: skip
    return db.session.scalars(
        db.select(SpendRefund).where(
            SpendRefund.spend_id == spend_id, SpendRefund.refund_ref == refund_ref
        )
    ).one()
