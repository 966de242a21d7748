"""Purchases and refunds: points and growth in, and proportionally back out."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, exc, or_, select, true, update

from memberportal.audit import services as audit
from memberportal.core.db import insert_once_statement, use_case
from memberportal.core.errors import ValidationFailed
from memberportal.core.money import check_cents
from memberportal.coupons import queries as coupon_queries
from memberportal.coupons import services as coupons
from memberportal.coupons.errors import CouponUnknown
from memberportal.coupons.models import Coupon
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.members.queries import MemberCode
from memberportal.points import ledger
from memberportal.points import queries as points_queries
from memberportal.points.rules import (
    best_multiplier,
    growth_for_purchase,
    points_for_purchase,
    proportional_share,
)
from memberportal.points.services import expiry_for, multipliers_at
from memberportal.purchases.errors import (
    DuplicatePurchase,
    DuplicateRefund,
    RefundExceedsPurchase,
    UnknownPurchase,
)
from memberportal.purchases.models import Purchase, Refund
from memberportal.purchases.queries import PurchaseContext, discount_now, purchase_context
from memberportal.purchases.rules import Bill
from memberportal.referrals import services as referrals
from memberportal.reviews import services as reviews
from memberportal.tiers import services as tiers
from memberportal.tiers.models import Tier

purchases = Purchase.__table__
members = Member.__table__


@dataclass(frozen=True)
class PurchaseResult:
    purchase_id: int
    points_earned: int
    growth_earned: int
    balance: int
    tier_code: str
    tier_changed: str | None  # "VIP1->VIP2" or None
    member_no: str | None = None


@dataclass(frozen=True)
class RefundResult:
    refund_id: int
    points_taken: int
    growth_taken: int  # the purchase's own (spend) growth, as the refund row records it
    balance: int
    review_growth_taken: int = 0  # the review's growth, when this refund completed the purchase

    @property
    def growth_lost(self) -> int:
        """All the growth the member lost by this refund."""
        return self.growth_taken + self.review_growth_taken


def _check_amount(amount_cents: int) -> None:
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents <= 0:
        raise ValidationFailed(_l("The amount must be more than zero."))
    check_cents(amount_cents)


@dataclass(frozen=True)
class ReportedBy:
    """The request a reporting system made (the API): its key, once per source, and the
    request's hash, kept on the purchase so a retry is answered from it. `unanswered` is a
    condition the purchase must meet to be written (no other answer stored under the key)."""

    key: str
    fingerprint: str
    # A SQL condition built once, over the bind parameter "request_key" and `unanswered_params`.
    unanswered: object = None
    unanswered_params: dict = field(default_factory=dict)


@use_case
def record_purchase(
    member_id: int | None,
    amount_cents: int,
    order_ref: str,
    *,
    source: str,
    actor,
    now: datetime,
    note: str | None = None,
    store: str | None = None,
    discount: Bill | None = None,
    member_code: MemberCode | None = None,
    reported: ReportedBy | None = None,
) -> PurchaseResult:
    """Record a purchase once and credit its points and growth.

    Points = floor(yuan x rate x best multiplier) as a lot with the program's expiry; growth
    = whole yuan, not multiplied; a threshold reached moves the member up at once. The member
    is `member_id` or who `member_code` (scanned or typed) names. `discount` is the till's
    bill when it granted one: its kind, rate and fen are kept on the purchase. Raises
    ValidationFailed (amount <= 0, empty reference), UnknownMember, MemberCodeExpired,
    DuplicatePurchase (also when `reported` finds its key taken or answered).

    One plan (plan_earning) over one read (purchases.queries.purchase_context); then the
    member's row (points, growth, the growth shown: one UPDATE that locks it), the purchase
    with what it answers, the points lot that is its ledger entry; a tier move's rows only
    when the tier moves, an audit row only when staff record it.
    Concurrency: the member's counters change relative to the row as locked, and the move is
    decided on the locked values; UNIQUE (source, order_ref) and (source, request_key) with
    INSERT .. ON CONFLICT DO NOTHING: a concurrent report of the same order waits for the
    first to commit, then is a DuplicatePurchase and everything it wrote is rolled back.
    """
    _check_amount(amount_cents)
    order_ref = (order_ref or "").strip()
    if not order_ref or len(order_ref) > 64:
        raise ValidationFailed(_l("Enter the order reference."))
    context = purchase_context(now=now, member_id=member_id, code=member_code)
    _keep_rules(context)
    earning = plan_earning(context, amount_cents, now)
    member_id, points, growth = context.member_id, earning.points, earning.growth
    cap = context.rules.interaction_cap_pct
    values = tiers.spend_values(growth, context.tier, context.ladder, cap) if growth else {}
    settled: list = []

    row = dict(
        member_id=member_id, source=source, order_ref=order_ref, amount_cents=amount_cents,
        rate_pct=earning.rate_pct, multiplier_pct=earning.multiplier_pct,
        note=(note or "").strip() or None, store=store, actor_label=actor.audit_label, at=now,
        refunded_cents=0, points_refunded=0, growth_refunded=0, points_earned=points,
        growth_earned=growth, request_key=reported.key if reported else None,
        request_hash=reported.fingerprint if reported else None, **_granted(discount),
    )  # fmt: skip

    def settle(counters: tuple) -> tiers.Settled:
        """Where the growth leaves the member, decided on their row as locked."""
        spend, interaction, tier_id, shown = counters
        found = tiers.settle(spend, interaction, tier_id, context.ladder, cap,
                             shown_written=shown if values else None)  # fmt: skip
        if not growth:  # nothing changed: nobody moves, nothing more to show
            found = replace(found, target=None, shown_written=True)
        settled.append(found)
        return found

    def answered(found: tiers.Settled) -> dict:
        after = found.target or found.current
        move = f"{found.current.code}->{after.code}" if found.target else None
        return {"tier_after": after.code, "tier_move": move}

    def write(balance: int, counters: tuple) -> int:
        """The purchase row, once the member's row is written and locked (the tier's
        outcome decided on it)."""
        written = db.session.execute(
            _insert_once(db.session.get_bind().dialect.name,
                         reported.unanswered if reported else None),
            dict(row, balance_after=balance, **answered(settle(counters)),
                 **(reported.unanswered_params if reported else {})),
        ).scalar()  # fmt: skip
        if written is None:
            raise DuplicatePurchase(purchase_id=_recorded(source, order_ref, reported))
        return written

    returning = (*tiers.GROWTH_RETURNING, members.c.growth)
    chained = None
    if points and db.session.get_bind().dialect.name == "postgresql":
        growth_params = tiers.spend_params(growth, context.tier, context.ladder, cap)
        chained = _write_chained(
            member_id, points, row, growth_params=growth_params if growth else None,
            returning=returning,
            expires_at=expiry_for(now, context.rules), actor=actor, now=now, reported=reported,
        )  # fmt: skip
    if chained is not None:
        balance, counters, purchase_id = chained
        found = settle(counters)
        if found.target is not None:  # written as staying: the move is known now
            db.session.execute(
                update(purchases).where(purchases.c.id == purchase_id).values(answered(found))
            )
    elif points:
        # One UPDATE of the member's row credits the points and adds the spend growth.
        credited = ledger.credit(
            member_id, points, kind="purchase", source_type="purchase", source_id=None,
            source=write, expires_at=expiry_for(now, context.rules), actor=actor, now=now,
            member_values=values, member_returning=returning,
        )  # fmt: skip
        purchase_id, balance = credited.source_id, credited.balance
    else:
        balance, *counters = tiers.write_growth(member_id, values, returning)
        purchase_id = write(balance, tuple(counters))
    found = settled[0]
    move = None
    if growth and (found.target is not None or not found.shown_written):
        move = tiers.growth_added(
            member_id, growth, (), kind="spend", cause="purchase", source_type="purchase",
            source_id=purchase_id, actor=actor, now=now, settled=found, entry=False,
        )  # fmt: skip
    if actor.actor_kind == "staff":  # a till or shop's report is its own record
        audit.record(
            "purchase.recorded", actor=actor, subject_type="member", subject_id=member_id,
            purchase_id=purchase_id, order_ref=order_ref, amount_cents=amount_cents,
            points=points,
        )  # fmt: skip
    if context.reward_held:
        # A friend's first purchase releases the reward held for the member who invited them.
        referrals.release_on_purchase(member_id, actor=actor, now=now)
    tier = found.target if move else found.current
    return PurchaseResult(
        purchase_id, points, growth, balance, tier.code,
        str(move) if move else None, member_no=context.member_no,
    )  # fmt: skip


def _write_chained(
    member_id, points, row, *, growth_params, returning, expires_at, actor, now, reported
) -> tuple[int, tuple, int] | None:  # fmt: skip
    """On PostgreSQL, the member's row, the purchase and its earning (the lot) in one
    statement: data-modifying CTEs chained from the areas' own statements (the ledger's
    credit of a member without a debt and its earn entry, the purchase's insert once), built
    once per shape (_chained_statement). The purchase is written as answering the tier the
    member is on; the caller corrects it when the tier moves. Returns (balance, the
    `returning` values, purchase id), or None when the member's row was not credited (a
    debt to repay first: the step-by-step path does it). Raises DuplicatePurchase (nothing
    it wrote is kept: the use case rolls back)."""
    capped, spend = growth_params if growth_params else (None, {})
    unanswered = reported.unanswered if reported else None
    params = {
        **ledger.credit_params(member_id, points), **spend,
        **{f"p_{name}": value for name, value in row.items()},
        **ledger.earn_params(member_id, points, kind="purchase", source_type="purchase",
                             expires_at=expires_at, actor=actor, now=now),
        **({"request_key": reported.key, **reported.unanswered_params} if reported else {}),
    }  # fmt: skip
    statement = _chained_statement(capped, unanswered, returning, tuple(row))
    result = db.session.execute(statement, params).first()
    if result is None:
        return None
    if result.purchase_id is None:
        source = row["source"]
        raise DuplicatePurchase(purchase_id=_recorded(source, row["order_ref"], reported))
    ledger.credited(member_id, result.points_balance)
    counters = tuple(result[1 : 1 + len(returning)])
    return result.points_balance, counters, result.purchase_id


@functools.cache
def _chained_statement(capped: bool | None, unanswered, returning: tuple, columns: tuple):
    """_write_chained's statement for one shape: with spend growth (capped or not, None:
    without), with or without the reporting request's condition."""
    values = tiers.bound_spend_values(capped) if capped is not None else {}
    credited = ledger.credit_cte(member_values=values, member_returning=returning)
    tier_code = select(Tier.code).where(Tier.id == credited.c.tier_id).scalar_subquery()
    bought = select(
        *(bindparam(f"p_{name}", type_=purchases.c[name].type) for name in columns),
        credited.c.points_balance, tier_code,
    ).select_from(credited)  # fmt: skip
    if unanswered is not None:
        bought = bought.where(unanswered)
    bought = insert_once_statement(
        purchases, rows=bought, columns=[*columns, "balance_after", "tier_after"],
        returning=(purchases.c.id,),
    ).cte("bought")  # fmt: skip
    earned = ledger.earn_cte(source_id=bought.c.id, source=bought)
    return (
        select(credited, bought.c.id.label("purchase_id"), earned.c.id.label("entry_id"))
        .select_from(credited)
        .outerjoin(bought, true())
        .outerjoin(earned, true())
    )


def _keep_rules(context: PurchaseContext) -> None:
    """The rules just read serve the rest of this session (points.services.program_rules)."""
    db.session.info.setdefault("program_rules", context.rules)


def _recorded(source: str, order_ref: str, reported: ReportedBy | None) -> int | None:
    """The purchase already recorded under this order reference or request key."""
    taken = Purchase.order_ref == order_ref
    if reported is not None:
        taken = or_(taken, Purchase.request_key == reported.key)
    return db.session.scalar(select(Purchase.id).where(Purchase.source == source, taken).limit(1))


def _granted(bill: Bill | None) -> dict:
    """The purchase's discount columns from the till's bill (all NULL when none was given)."""
    if bill is None or not bill.discount_kind or not bill.discount_bps:
        return {"discount_kind": None, "discount_bps": None, "discount_cents": None}
    return {"discount_kind": bill.discount_kind, "discount_bps": bill.discount_bps,
            "discount_cents": bill.discount_cents}  # fmt: skip


WRITTEN_COLUMNS = (
    "member_id", "source", "order_ref", "amount_cents", "rate_pct", "multiplier_pct", "note",
    "store", "actor_label", "at", "refunded_cents", "points_refunded", "growth_refunded",
    "points_earned", "growth_earned", "balance_after", "tier_after", "tier_move",
    "request_key", "request_hash", "discount_kind", "discount_bps", "discount_cents",
)  # fmt: skip


@functools.cache
def _insert_once(dialect: str, unanswered=None):
    """INSERT .. ON CONFLICT DO NOTHING RETURNING id (on either UNIQUE key), built once per
    engine kind and condition (building it costs more than running it); the values come as
    parameters. `unanswered`: written only while the reporting request's condition holds
    (ReportedBy: a SQL condition built once by its caller)."""
    if unanswered is None:
        return insert_once_statement(purchases, returning=(purchases.c.id,))
    values = select(*(bindparam(name, type_=purchases.c[name].type) for name in WRITTEN_COLUMNS))
    return insert_once_statement(
        purchases, rows=values.where(unanswered), columns=WRITTEN_COLUMNS,
        returning=(purchases.c.id,),
    )  # fmt: skip


@dataclass(frozen=True)
class Earning:
    rate_pct: int
    multiplier_pct: int
    points: int
    growth: int


def plan_earning(context: PurchaseContext, amount_cents: int, now: datetime) -> Earning:
    """What a purchase of `amount_cents` earns now: the program's rate, the best of the
    multipliers that apply (the tier's while its benefits are held, the member day's, the
    birthday month's, the paid card's), the points and the growth. No database."""
    rate = context.rules.rate_pct
    tier_pct = context.tier.points_multiplier_pct if context.tier_benefits_held else 100
    cards = [context.card_multiplier_pct] if context.card_multiplier_pct else []
    multiplier = best_multiplier(
        multipliers_at(now, context.rules, tier_pct, cards, birthday=context.birthday)
    )
    return Earning(rate, multiplier, points_for_purchase(amount_cents, rate, multiplier),
                   growth_for_purchase(amount_cents))  # fmt: skip


@dataclass(frozen=True)
class Quote:
    """What the till shows before the cashier confirms: the bill and the points it earns."""

    bill: Bill
    points: int
    coupon: Coupon | None = None
    coupon_problem: str | None = None  # why the chosen coupon cannot be used on this order


def quote(member_id: int, order_cents: int, *, coupon_id: int | None, now: datetime) -> Quote:
    """Plan a checkout without writing: the discount that applies now (discount_now), the chosen
    coupon (one of the member's own) and the points the amount paid would earn. `checkout`
    makes the same plan and then writes it. Raises ValidationFailed, UnknownMember."""
    _check_amount(order_cents)
    context = purchase_context(now=now, member_id=member_id)
    _keep_rules(context)
    kind, bps = discount_now(member_id, now)
    bill = Bill(order_cents, bps, discount_kind=kind)
    coupon = problem = None
    if coupon_id:
        coupon = coupon_queries.member_coupon_or_none(member_id, coupon_id)
        if coupon is None:
            problem = "unknown"
        else:
            problem = coupon.refusal(now, bill.after_discount_cents)
            if problem is None:
                bill = replace(bill, coupon_cents=coupon.amount_cents)
    points = plan_earning(context, bill.paid_cents, now).points if bill.paid_cents else 0
    return Quote(bill, points, coupon, problem)


@dataclass(frozen=True)
class CheckoutResult:
    bill: Bill
    purchase: PurchaseResult | None  # None when a coupon paid for the whole order


@use_case
def checkout(
    member_id: int,
    order_cents: int,
    order_ref: str,
    *,
    coupon_id: int | None,
    actor,
    now: datetime,
    note: str | None = None,
) -> CheckoutResult:
    """One sale at the till, in one transaction: the discount that applies now (the paid
    card's or the member day's, kept on the purchase), the write-off of
    the member's chosen coupon on this order, and the purchase of what was paid (its points
    and growth). Nothing is written if any step is refused: a used coupon, an order reference
    already recorded. Raises ValidationFailed, UnknownMember, the coupon's refusals
    (CouponUnknown, CouponAlreadyUsed, CouponVoid, CouponExpired, SpendBelowThreshold),
    DuplicatePurchase. Concurrency: the coupon's conditional UPDATE and the purchase's UNIQUE
    order reference decide, as when they are used alone."""
    planned = quote(member_id, order_cents, coupon_id=None, now=now)
    bill = planned.bill
    order_ref = (order_ref or "").strip()
    if not order_ref or len(order_ref) > 64:
        raise ValidationFailed(_l("Enter the order reference."))
    if coupon_id:
        chosen = coupon_queries.member_coupon_or_none(member_id, coupon_id)
        if chosen is None:
            raise CouponUnknown()
        coupon = coupons.write_off(
            chosen.code, order_cents=bill.after_discount_cents, actor=actor, now=now,
            member_id=member_id, order_ref=order_ref,
        )  # fmt: skip
        bill = replace(bill, coupon_cents=coupon.amount_cents)
    purchase = None
    if bill.paid_cents:
        purchase = record_purchase(
            member_id, bill.paid_cents, order_ref, source="till", actor=actor, now=now,
            note=note, discount=bill,
        )  # fmt: skip
    return CheckoutResult(bill, purchase)


@use_case
def record_refund(
    purchase_id: int, amount_cents: int, *, refund_ref: str | None, actor, now: datetime,
    reason: str | None = None,
) -> RefundResult:  # fmt: skip
    """Refund all or part of a purchase and take back its points and growth proportionally.

    The refunded total never exceeds what was paid: UPDATE ... SET refunded_cents =
    refunded_cents + :a WHERE refunded_cents + :a <= amount_cents. Points taken are computed on
    the cumulative refund, so partial refunds add up to exactly what the purchase earned.
    Points already spent become a debt. The refund that leaves the purchase fully refunded
    also takes back the growth of its review, if any (reviews.services.return_growth). Tiers
    never go down here. Raises ValidationFailed, UnknownPurchase, RefundExceedsPurchase,
    DuplicateRefund. Concurrency: the conditional update locks the purchase row, so
    concurrent refunds are applied one after the other and one of them completes it.
    """
    _check_amount(amount_cents)
    claimed = db.session.execute(
        update(purchases)
        .where(
            purchases.c.id == purchase_id,
            purchases.c.refunded_cents + amount_cents <= purchases.c.amount_cents,
        )
        .values(refunded_cents=purchases.c.refunded_cents + amount_cents)
    ).rowcount
    if not claimed:
        if db.session.get(Purchase, purchase_id) is None:
            raise UnknownPurchase()
        raise RefundExceedsPurchase()
    purchase = db.session.get(Purchase, purchase_id)
    db.session.refresh(purchase)
    points = _take(purchase, "points", purchase.points_earned)
    growth = _take(purchase, "growth", purchase.growth_earned)
    refund = Refund(
        purchase_id=purchase_id, amount_cents=amount_cents, refund_ref=refund_ref,
        points_taken=points, growth_taken=growth, actor_label=actor.audit_label, at=now,
        reason=(reason or "").strip()[:200] or None,
    )  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.add(refund)
    except exc.IntegrityError:
        raise DuplicateRefund() from None
    _claw_back(purchase, refund, points, growth, actor, now)
    review_growth = 0
    if purchase.refunded_cents == purchase.amount_cents:
        review_growth = reviews.return_growth(
            purchase_id, refund_id=refund.id, actor=actor, now=now
        )
    member = db.session.get(Member, purchase.member_id)
    db.session.refresh(member)
    return RefundResult(refund.id, points, growth, member.points_balance, review_growth)


def _take(purchase: Purchase, what: str, earned: int) -> int:
    """What this refund takes: the cumulative share due minus what was taken before."""
    due = proportional_share(earned, purchase.refunded_cents, purchase.amount_cents)
    taken_before = getattr(purchase, f"{what}_refunded")
    setattr(purchase, f"{what}_refunded", due)
    return due - taken_before


def refund_quote(purchase: Purchase, amount_cents: int) -> tuple[int, int]:
    """(points, growth) a refund of `amount_cents` would take back now, for the cashier to
    confirm; the refund itself computes the same shares under its lock. Raises
    ValidationFailed, RefundExceedsPurchase."""
    _check_amount(amount_cents)
    refunded = purchase.refunded_cents + amount_cents
    if refunded > purchase.amount_cents:
        raise RefundExceedsPurchase()

    def share(earned: int, taken_before: int) -> int:
        return proportional_share(earned, refunded, purchase.amount_cents) - taken_before

    return (share(purchase.points_earned, purchase.points_refunded),
            share(purchase.growth_earned, purchase.growth_refunded))  # fmt: skip


def _claw_back(purchase, refund, points, growth, actor, now) -> None:
    if points:
        ledger.claw_back(
            purchase.member_id, points, kind="refund", source_type="refund",
            source_id=refund.id, actor=actor, now=now,
            prefer_lot_id=points_queries.earning_lot("purchase", purchase.id),
        )  # fmt: skip
    tiers.add_growth(
        purchase.member_id, -growth, kind="spend", cause="refund", source_type="refund",
        source_id=refund.id, actor=actor, now=now,
    )  # fmt: skip
    audit.record(
        "purchase.refunded", actor=actor, subject_type="member", subject_id=purchase.member_id,
        purchase_id=purchase.id, refund_id=refund.id, amount_cents=refund.amount_cents,
        points=points, growth=growth, reason=refund.reason,
    )  # fmt: skip
