"""Reading paid memberships, scoped to who may see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, case, func, select

from memberportal.core.db import UTCDateTime
from memberportal.core.i18n import localized
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.memberships.models import (
    ENTITLED,
    BillingRecord,
    Checkout,
    Membership,
    Plan,
)
from memberportal.memberships.rules import GRACE, card_discount_bps
from memberportal.tiers.models import Tier


@dataclass(frozen=True)
class ActiveBenefits:
    plan_code: str
    points_multiplier_pct: int
    discount_bps: int  # what applies at the till: the plan's or the member's tier's, the better
    paid_until: datetime  # the paid period's end (benefits last a day's grace beyond it)
    plan_name_zh: str = ""
    plan_name_en: str = ""
    membership_id: int | None = None
    # The paid period's start (the membership's creation when the processor gave none):
    # benefits given "once per period" are keyed on it.
    paid_from: datetime | None = None

    @property
    def plan_name(self) -> str:
        return localized(self.plan_name_zh, self.plan_name_en) or self.plan_code


def active_benefits(member_id: int, now: datetime) -> ActiveBenefits | None:
    """The paid-plan benefits the member has at `now`, or None.

    Check this at the moment a benefit is used (earning, coupons): a revoked, held or ended
    membership gives nothing from the moment its webhook was processed.
    """
    row = db.session.execute(
        select(
            Plan.code,
            Plan.points_multiplier_pct,
            Plan.discount_bps,
            Tier.paid_discount_bps,
            Membership.current_period_end,
            Plan.name_zh,
            Plan.name_en,
            Membership.id,
            func.coalesce(Membership.current_period_start, Membership.created_at),
        )
        .join(Plan, Plan.id == Membership.plan_id)
        .join(Member, Member.id == Membership.member_id)
        .join(Tier, Tier.id == Member.tier_id)
        .where(*_entitled(member_id, now))
        .order_by(Membership.current_period_end.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    code, multiplier, plan_bps, tier_bps, *rest = row
    return ActiveBenefits(code, multiplier, card_discount_bps(plan_bps, tier_bps), *rest)


def _entitled(member_id, now: datetime) -> tuple:
    """The member's memberships that give their benefits at `now` (card_multiplier says the
    same in SQL built once)."""
    return (
        Membership.member_id == member_id,
        Membership.status.in_(ENTITLED),
        Membership.current_period_end > now - GRACE,
    )


def card_multiplier(member_id_column):
    """The points multiplier of the paid card the member holds at the moment
    `card_multiplier_params` names (NULL when none), as a scalar subquery for a caller's own
    query built once (a purchase's context): the same membership active_benefits picks."""
    return (
        select(Plan.points_multiplier_pct)
        .join(Membership, Membership.plan_id == Plan.id)
        .where(
            Membership.member_id == member_id_column,
            Membership.status.in_(ENTITLED),
            Membership.current_period_end > bindparam("card_entitled_after", type_=UTCDateTime()),
        )
        .order_by(Membership.current_period_end.desc())
        .limit(1)
        .scalar_subquery()
    )


def card_multiplier_params(now: datetime) -> dict:
    return {"card_entitled_after": now - GRACE}


def has_had_membership(member_id: int) -> bool:
    """Whether the member ever held a paid membership (any status): the first-period price
    is for newcomers only."""
    return (
        db.session.scalar(select(Membership.id).where(Membership.member_id == member_id).limit(1))
        is not None
    )


def first_charge_cents(plan: Plan, member_id: int) -> int:
    """What this member pays today for `plan`: a returning member pays the full price."""
    return plan.price_cents if has_had_membership(member_id) else plan.first_charge_cents


def plans_on_sale() -> list[Plan]:
    return list(
        db.session.scalars(select(Plan).where(Plan.state == "active").order_by(Plan.price_cents))
    )


def all_plans() -> list[Plan]:
    return list(db.session.scalars(select(Plan).order_by(Plan.state, Plan.code)))


def plan_by_id(plan_id: int) -> Plan | None:
    return db.session.get(Plan, plan_id)


def latest_membership_for_member(member_id: int) -> Membership | None:
    """The member's own most recent membership (their page shows it, whatever its status)."""
    return db.session.scalars(
        select(Membership)
        .where(Membership.member_id == member_id)
        .order_by(Membership.created_at.desc(), Membership.id.desc())
        .limit(1)
    ).first()


def checkout_for_member(member_id: int, session_id: str) -> Checkout | None:
    """A checkout session, only if it belongs to this member."""
    return db.session.scalars(
        select(Checkout).where(Checkout.member_id == member_id, Checkout.session_id == session_id)
    ).first()


def membership_for_checkout(checkout: Checkout) -> Membership | None:
    """The membership this checkout produced, once a webhook has created it."""
    return db.session.scalars(
        select(Membership)
        .where(
            Membership.member_id == checkout.member_id, Membership.created_at >= checkout.created_at
        )
        .order_by(Membership.id.desc())
    ).first()


@dataclass(frozen=True)
class PaidMemberRow:
    membership: Membership
    member: Member
    revenue_cents: int


def _revenue():
    signed = case(
        (BillingRecord.kind == "refund", -BillingRecord.amount_cents),
        else_=BillingRecord.amount_cents,
    )
    return (
        select(BillingRecord.membership_id, func.coalesce(func.sum(signed), 0).label("revenue"))
        .group_by(BillingRecord.membership_id)
        .subquery()
    )


def paid_members(limit: int = 200) -> list[PaidMemberRow]:
    """Staff with payments.view: every membership, newest first, with revenue net of refunds."""
    revenue = _revenue()
    rows = db.session.execute(
        select(Membership, Member, func.coalesce(revenue.c.revenue, 0))
        .join(Member, Member.id == Membership.member_id)
        .outerjoin(revenue, revenue.c.membership_id == Membership.id)
        .order_by(Membership.updated_at.desc(), Membership.id.desc())
        .limit(limit)
    ).all()
    return [PaidMemberRow(m, member, int(rev)) for m, member, rev in rows]


def billing_for_member(member_id: int) -> list[BillingRecord]:
    return list(
        db.session.scalars(
            select(BillingRecord)
            .where(BillingRecord.member_id == member_id)
            .order_by(BillingRecord.at.desc(), BillingRecord.id.desc())
        )
    )


def memberships_for_member(member_id: int) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.member_id == member_id)
            .order_by(Membership.id.desc())
        )
    )
