"""Paid membership (SVIP): plans, memberships, checkouts, billing, refunds and disputes."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from memberportal.core.clock import utcnow
from memberportal.core.db import BigID, intpk
from memberportal.core.i18n import localized
from memberportal.extensions import db
from memberportal.members.models import Member

PLAN_STATES = ("draft", "active", "retired")
INTERVALS = ("year", "month")
# ended and revoked are terminal: no later event brings such a membership back.
STATUSES = ("active", "trialing", "past_due", "on_hold", "ended", "revoked")
TERMINAL = ("ended", "revoked")
# Statuses in which the member keeps the paid benefits (until the period end plus grace).
ENTITLED = ("active", "trialing", "past_due")
# What staff see for a status or a plan state (the stored value stays the code).
STATUS_LABELS = {
    "active": _l("Active"),
    "trialing": _l("Trial"),
    "past_due": _l("Payment overdue"),
    "on_hold": _l("On hold"),
    "ended": _l("Ended"),
    "revoked": _l("Revoked"),
}
PLAN_STATE_LABELS = {"draft": _l("Draft"), "active": _l("On sale"), "retired": _l("Retired")}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Plan(db.Model):
    __tablename__ = "membership_plans"
    __table_args__ = (
        CheckConstraint("price_cents > 0", name="price_positive"),
        CheckConstraint(
            "first_period_price_cents IS NULL OR "
            "(first_period_price_cents >= 0 AND first_period_price_cents < price_cents)",
            name="first_period_below_price",
        ),
        CheckConstraint(_in("billing_interval", INTERVALS), name="interval"),
        CheckConstraint(_in("state", PLAN_STATES), name="state"),
        CheckConstraint("points_multiplier_pct >= 100", name="multiplier_at_least_one"),
        CheckConstraint("discount_bps >= 0 AND discount_bps <= 10000", name="discount_range"),
    )

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    price_cents: Mapped[int]
    billing_interval: Mapped[str] = mapped_column(String(8), default="year")
    first_period_price_cents: Mapped[int | None]
    points_multiplier_pct: Mapped[int] = mapped_column(default=100)
    discount_bps: Mapped[int] = mapped_column(default=0)
    benefits_zh: Mapped[str] = mapped_column(Text, default="")
    benefits_en: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(8), default="draft")
    stripe_price_id: Mapped[str | None] = mapped_column(String(255))
    stripe_coupon_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en)

    @property
    def benefits(self) -> str:
        return localized(self.benefits_zh, self.benefits_en)

    @property
    def first_charge_cents(self) -> int:
        """What the member pays today: the discounted first period, if there is one."""
        if self.first_period_price_cents is None:
            return self.price_cents
        return self.first_period_price_cents


class Membership(db.Model):
    """One Stripe subscription of one member; a member who rejoins gets a new row."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status"),
        Index("ix_memberships_member_status", "member_id", "status"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(BigID, ForeignKey("members.id", ondelete="RESTRICT"))
    plan_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("membership_plans.id", ondelete="RESTRICT")
    )
    status: Mapped[str] = mapped_column(String(16))
    current_period_start: Mapped[datetime | None]
    current_period_end: Mapped[datetime | None]
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), index=True)
    stripe_subscription_id: Mapped[str] = mapped_column(String(255), unique=True)
    # The amount of the next renewal as Stripe priced it (the plan's full price after a discount).
    renewal_amount_cents: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]

    plan: Mapped[Plan] = relationship(lazy="joined")
    member: Mapped[Member] = relationship()


class Checkout(db.Model):
    """A checkout the member started; at most one open per member (a partial UNIQUE index)."""

    __tablename__ = "membership_checkouts"
    __table_args__ = (
        CheckConstraint(_in("state", ("open", "completed", "expired")), name="state"),
        Index(
            "uq_membership_checkouts_one_open",
            "member_id",
            unique=True,
            postgresql_where=text("state = 'open'"),
            sqlite_where=text("state = 'open'"),
        ),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(BigID, ForeignKey("members.id", ondelete="RESTRICT"))
    plan_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("membership_plans.id", ondelete="RESTRICT")
    )
    state: Mapped[str] = mapped_column(String(16), default="open")
    session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[Plan] = relationship(lazy="joined")


class BillingRecord(db.Model):
    """Money that moved for a membership: a paid invoice or a refund (from the webhook ledger)."""

    __tablename__ = "membership_billing"
    __table_args__ = (
        CheckConstraint(_in("kind", ("payment", "refund")), name="kind"),
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
    )

    id: Mapped[intpk]
    membership_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("memberships.id", ondelete="RESTRICT"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    # The invoice id for a payment, 'refund:<charge>' for a refund: one row per fact.
    reference: Mapped[str] = mapped_column(String(300), unique=True)
    invoice_id: Mapped[str | None] = mapped_column(String(255))
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="cny")
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime | None]
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ChargeRefund(db.Model):
    """How much of one charge has been refunded so far; the only place a refund's amount is
    decided. A conditional UPDATE raises refunded_cents and, in the same statement, records
    by how much (last_refund_cents), so two refunds of one charge at once cannot both count
    what the other added."""

    __tablename__ = "membership_charge_refunds"
    __table_args__ = (
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        CheckConstraint(
            "refunded_cents >= 0 AND refunded_cents <= amount_cents", name="refunded_in_range"
        ),
        CheckConstraint("last_refund_cents >= 0", name="last_refund_not_negative"),
    )

    id: Mapped[intpk]
    charge_id: Mapped[str] = mapped_column(String(255), unique=True)
    membership_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("memberships.id", ondelete="RESTRICT"), index=True
    )
    amount_cents: Mapped[int]
    refunded_cents: Mapped[int] = mapped_column(default=0)
    last_refund_cents: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Dispute(db.Model):
    """A dispute's state as far as the webhooks told it. Opening inserts 'open' (once, UNIQUE
    dispute id); closing inserts 'won'/'lost' or moves 'open' to it (conditional UPDATE), so a
    closing that arrives before the opening leaves nothing for the opening to hold."""

    __tablename__ = "membership_disputes"
    __table_args__ = (CheckConstraint(_in("state", ("open", "won", "lost")), name="state"),)

    id: Mapped[intpk]
    dispute_id: Mapped[str] = mapped_column(String(255), unique=True)
    membership_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("memberships.id", ondelete="RESTRICT"), index=True
    )
    state: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
