"""Paid membership use cases: plans, checkout, and the state changes webhooks decide.

Only a verified webhook (memberships.events) calls the state changes below; the member's
pages only start checkouts and ask the processor to cancel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, literal, or_, select, true, update

from memberportal.audit import services as audit
from memberportal.core.actors import Actor, SystemActor
from memberportal.core.clock import utcnow
from memberportal.core.db import insert_once, use_case
from memberportal.core.errors import DomainError, NotFound
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.memberships.models import (
    ENTITLED,
    TERMINAL,
    Checkout,
    Membership,
    Plan,
)
from memberportal.memberships.rules import GRACE, SubscriptionState
from memberportal.notifications import outbox
from memberportal.payments.rules import CHECKOUT_SESSION_TTL

STRIPE = SystemActor(audit_label="stripe webhook", actor_kind="stripe")
# Expire a local checkout only after the processor's session has expired (plus clock skew), so
# two sessions a member could pay are never open at once.
CHECKOUT_TTL = CHECKOUT_SESSION_TTL + timedelta(minutes=4)
PLAN_FIELDS = (
    "name_zh",
    "name_en",
    "price_cents",
    "billing_interval",
    "first_period_price_cents",
    "points_multiplier_pct",
    "discount_bps",
    "benefits_zh",
    "benefits_en",
    "state",
    "stripe_price_id",
    "stripe_coupon_id",
)


class PlanNotAvailable(DomainError):
    code = "plan_not_available"
    default_message = _l("This plan is not on sale.")


class AlreadyMember(DomainError):
    code = "already_member"
    status = 409
    default_message = _l("You already have a paid membership.")


class PlanCodeTaken(DomainError):
    code = "plan_code_taken"
    status = 409
    default_message = _l("A plan with this code already exists.")


class InvalidPlan(DomainError):
    code = "invalid_plan"
    default_message = _l("The first-period price must be below the full price.")


# --- plans -------------------------------------------------------------------------------


def _check_plan(values: dict) -> None:
    first = values.get("first_period_price_cents")
    if first is not None and first >= values["price_cents"]:
        raise InvalidPlan()


@use_case
def create_plan(code: str, *, actor: Actor, **values) -> Plan:
    """Add a plan (draft unless told). Raises PlanCodeTaken (UNIQUE code), InvalidPlan.
    Writes the plan and an audit row."""
    _check_plan(values)
    if not insert_once(Plan, code=code, created_at=utcnow(), **values):
        raise PlanCodeTaken()
    plan = db.session.scalars(select(Plan).where(Plan.code == code)).one()
    audit.record("plan.created", actor=actor, subject_type="plan", subject_id=plan.id, **values)
    return plan


@use_case
def update_plan(plan_id: int, *, actor: Actor, **values) -> Plan:
    """Change a plan's names, price, benefits or state; the audit row holds old and new.
    Existing subscriptions keep the price Stripe holds for them. Raises NotFound, InvalidPlan."""
    # Take the row before reading it, with a no-op UPDATE: a row lock on PostgreSQL and the
    # write lock on SQLite (where SELECT .. FOR UPDATE is dropped). Two owners editing at once
    # then go one after the other, and each audit row's "old" values are what it replaced.
    taken = db.session.execute(
        update(Plan).where(Plan.id == plan_id).values(state=Plan.state)
    ).rowcount
    if not taken:
        raise NotFound()
    plan = db.session.get(Plan, plan_id, populate_existing=True)
    _check_plan(values)
    changes = {
        k: [getattr(plan, k), v]
        for k, v in values.items()
        if k in PLAN_FIELDS and getattr(plan, k) != v
    }
    for key, (_old, new) in changes.items():
        setattr(plan, key, new)
    if changes:
        audit.record(
            "plan.updated", actor=actor, subject_type="plan", subject_id=plan.id, **changes
        )
    return plan


# --- checkout ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckoutClaim:
    checkout: Checkout
    created: bool  # False: an open checkout already existed (a double click)


@use_case
def claim_checkout(member_id: int, plan_code: str, *, now: datetime | None = None) -> CheckoutClaim:
    """Open the member's one checkout for a plan, or return the one already open.

    Raises PlanNotAvailable, AlreadyMember. A partial UNIQUE index allows one open checkout
    per member, so two clicks at once open one. Checkouts left open past CHECKOUT_TTL expire
    first (the processor's session has expired by then, and checkout.session.expired closes
    them too).
    """
    now = now or utcnow()
    plan = db.session.scalars(select(Plan).where(Plan.code == plan_code)).first()
    if plan is None or plan.state != "active":
        raise PlanNotAvailable()
    if _entitled_membership(member_id, now) is not None:
        raise AlreadyMember()
    db.session.execute(
        update(Checkout)
        .where(
            Checkout.member_id == member_id,
            Checkout.state == "open",
            Checkout.created_at < now - CHECKOUT_TTL,
        )
        .values(state="expired")
    )
    created = insert_once(
        Checkout, member_id=member_id, plan_id=plan.id, state="open", created_at=now
    )
    checkout = db.session.scalars(
        select(Checkout).where(Checkout.member_id == member_id, Checkout.state == "open")
    ).one()
    return CheckoutClaim(checkout, created)


@use_case
def attach_session(checkout_id: int, session_id: str, url: str) -> None:
    """Record the processor's session on the claimed checkout (after the API call)."""
    db.session.execute(
        update(Checkout).where(Checkout.id == checkout_id).values(session_id=session_id, url=url)
    )


@use_case
def abandon_checkout(checkout_id: int, member_id: int) -> bool:
    """The member left the checkout: it is no longer open (conditional update)."""
    result = db.session.execute(
        update(Checkout)
        .where(
            Checkout.id == checkout_id, Checkout.member_id == member_id, Checkout.state == "open"
        )
        .values(state="expired")
    )
    return result.rowcount == 1


def _entitled_membership(member_id: int, now: datetime) -> Membership | None:
    return db.session.scalars(
        select(Membership)
        .where(
            Membership.member_id == member_id,
            Membership.status.in_(ENTITLED + ("on_hold",)),
            or_(
                Membership.current_period_end.is_(None), Membership.current_period_end > now - GRACE
            ),
        )
        .order_by(Membership.current_period_end.desc())
    ).first()


# --- state changes decided by verified webhooks ----------------------------------------------


def apply_subscription_state(
    state: SubscriptionState, *, now: datetime
) -> tuple[Membership | None, bool]:
    """Make the membership match the processor's latest subscription state.

    Creates the membership on first sight (UNIQUE subscription id: once). Never revives an
    ended or revoked membership, never moves the period backwards, keeps an open dispute's
    hold. Returns (membership or None when no member matches, whether anything changed).
    Runs inside the webhook's use case.
    """
    membership = _membership_for(state.subscription_id)
    if membership is None:
        return _start_membership(state, now=now)
    if state.status is None:
        return membership, False
    before = (membership.status, membership.current_period_end, membership.cancel_at_period_end)
    # An open dispute's hold outlasts renewals; only the subscription's end overrides it.
    new_status = (
        literal(state.status)
        if state.status == "ended"
        else case((Membership.status == "on_hold", "on_hold"), else_=state.status)
    )
    not_backwards = (
        or_(
            Membership.current_period_end.is_(None),
            Membership.current_period_end <= state.period_end,
        )
        if state.period_end is not None
        else true()
    )
    changed = db.session.execute(
        update(Membership)
        .where(
            Membership.id == membership.id,
            Membership.status.not_in(TERMINAL),
            not_backwards,
            or_(
                Membership.status != new_status,
                Membership.current_period_end.is_distinct_from(state.period_end),
                Membership.cancel_at_period_end != state.cancel_at_period_end,
            ),
        )
        .values(
            status=new_status,
            current_period_start=state.period_start,
            current_period_end=state.period_end,
            cancel_at_period_end=state.cancel_at_period_end,
            renewal_amount_cents=state.renewal_amount_cents,
            stripe_customer_id=state.customer_id,
            updated_at=now,
            ended_at=now if state.status == "ended" else None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        return membership, False
    db.session.refresh(membership)
    audit.record(
        "membership.updated",
        actor=STRIPE,
        subject_type="membership",
        subject_id=membership.id,
        status=[before[0], membership.status],
        period_end=[_iso(before[1]), _iso(membership.current_period_end)],
        cancel_at_period_end=[before[2], membership.cancel_at_period_end],
    )
    outbox.membership_updated(membership, was_ending=before[2] or before[0] in TERMINAL, now=now)
    return membership, True


def _start_membership(state: SubscriptionState, *, now: datetime) -> tuple[Membership | None, bool]:
    if state.member_id is None or state.plan_code is None:
        return None, False
    member = db.session.get(Member, state.member_id)
    plan = db.session.scalars(select(Plan).where(Plan.code == state.plan_code)).first()
    if member is None or plan is None:
        return None, False
    if state.status is None:
        return None, False
    inserted = insert_once(
        Membership,
        member_id=member.id,
        plan_id=plan.id,
        status=state.status,
        current_period_start=state.period_start,
        current_period_end=state.period_end,
        cancel_at_period_end=state.cancel_at_period_end,
        renewal_amount_cents=state.renewal_amount_cents,
        stripe_customer_id=state.customer_id,
        stripe_subscription_id=state.subscription_id,
        created_at=now,
        updated_at=now,
        ended_at=now if state.status == "ended" else None,
    )
    membership = _membership_for(state.subscription_id)
    if not inserted:  # another event created it a moment ago: bring it up to date
        return apply_subscription_state(state, now=now)
    audit.record(
        "membership.started",
        actor=STRIPE,
        subject_type="membership",
        subject_id=membership.id,
        member_id=member.id,
        plan=plan.code,
        status=state.status,
        period_end=_iso(state.period_end),
    )
    return membership, True


def set_status(membership: Membership, to: str, *, only_from: tuple[str, ...], reason: str) -> bool:
    """Move a membership to `to` if it is in one of `only_from` (conditional update); audit it."""
    before = membership.status
    changed = db.session.execute(
        update(Membership)
        .where(Membership.id == membership.id, Membership.status.in_(only_from))
        .values(status=to, updated_at=utcnow(), ended_at=utcnow() if to in TERMINAL else None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        db.session.refresh(membership)
        audit.record(
            f"membership.{to}",
            actor=STRIPE,
            subject_type="membership",
            subject_id=membership.id,
            reason=reason,
            status=[before, to],
        )
    return bool(changed)


def _membership_for(subscription_id: str) -> Membership | None:
    return db.session.scalars(
        select(Membership).where(Membership.stripe_subscription_id == subscription_id)
    ).first()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# --- the member asks to cancel ------------------------------------------------------------


class NoPaidMembership(DomainError):
    code = "no_paid_membership"
    default_message = _l("You have no paid membership to cancel.")


def request_cancel(member_id: int, *, gateway, actor: Actor) -> Membership:
    """Ask the processor to end the member's subscription at the period end.

    The membership itself changes only when the resulting webhook arrives (in demo mode at
    once, through the same handler). Raises NoPaidMembership. The processor call happens
    outside any transaction; the request is then audited.
    """
    membership = _entitled_membership(member_id, utcnow())
    if membership is None or membership.status == "on_hold":
        raise NoPaidMembership()
    gateway.cancel_at_period_end(membership.stripe_subscription_id)
    _audit_cancel_request(membership.id, actor=actor)
    return membership


@use_case
def _audit_cancel_request(membership_id: int, *, actor: Actor) -> None:
    audit.record(
        "membership.cancel_requested",
        actor=actor,
        subject_type="membership",
        subject_id=membership_id,
    )
