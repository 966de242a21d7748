"""Coupon tables: the merchant's templates and the coupons issued from them to members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from memberportal.core.clock import utcnow
from memberportal.core.db import BigID, intpk
from memberportal.core.i18n import localized
from memberportal.coupons.rules import (
    MAX_BIRTHDAY_VALID_DAYS,
    MAX_VALID_DAYS,
    PAID_REASON_PREFIX,
    display_code,
    reason_kind,
)
from memberportal.coupons.rules import (
    mall_order_id as order_of_reason,
)
from memberportal.extensions import db
from memberportal.tiers.models import Tier

# void: its points-mall order was cancelled before it was used; nothing can write it off.
COUPON_STATES = ("issued", "used", "void")
# Who receives a template's coupons (rules.SOURCES, as the CHECK below): members at a tier (or
# no one automatically, when the tier is left empty), holders of an active paid card, members
# in their birthday month, or members on the program's member day (these two optionally from
# a minimum tier), or members who redeem a points-mall item that gives it ("mall": never issued
# lazily, only by the redemption).


class CouponTemplate(db.Model):
    """What a coupon gives (amount off above a spend threshold) and how long it lasts.

    A template attached to a tier is issued once to every member who reaches that tier. A
    paid-card template is issued to holders of an active card: once per paid period, or, with
    `per_quarter`, once per calendar quarter in the brand's time zone. A birthday template is
    issued once a year in the member's birthday month, a member-day template once a month on
    the member day (both in the brand's time zone); for these two the tier, when set, is the
    lowest tier that receives it.
    """

    __tablename__ = "coupon_templates"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("min_spend_cents >= 0", name="threshold_not_negative"),
        # "8 off orders of 79": a threshold, when set, is above the amount it takes off.
        CheckConstraint(
            "min_spend_cents = 0 OR min_spend_cents > amount_cents", name="threshold_above_amount"
        ),
        CheckConstraint(f"valid_days BETWEEN 1 AND {MAX_VALID_DAYS}", name="valid_days_range"),
        CheckConstraint("source IN ('tier','paid','birthday','member_day','mall')", name="source"),
        CheckConstraint("source <> 'paid' OR tier_id IS NULL", name="no_tier_for_paid"),
        CheckConstraint("source <> 'mall' OR tier_id IS NULL", name="no_tier_for_mall"),
        CheckConstraint("NOT per_quarter OR source = 'paid'", name="quarterly_only_for_paid"),
        # A member-day coupon is valid on the member day only; a birthday one ends with its month.
        CheckConstraint("source <> 'member_day' OR valid_days = 1", name="member_day_one_day"),
        CheckConstraint(
            f"source <> 'birthday' OR valid_days <= {MAX_BIRTHDAY_VALID_DAYS}",
            name="birthday_within_month",
        ),
    )

    id: Mapped[intpk]
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    amount_cents: Mapped[int]
    min_spend_cents: Mapped[int] = mapped_column(default=0)
    valid_days: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    tier_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("tiers.id", ondelete="RESTRICT"), index=True
    )
    source: Mapped[str] = mapped_column(String(16), default="tier", server_default="tier")
    per_quarter: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    tier: Mapped[Tier | None] = relationship(lazy="joined")

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en)


class Coupon(db.Model):
    """One coupon held by one member. `issued` until written off (`used`), or `void` when the
    points-mall order that bought it is cancelled first; expired is derived from
    `expires_at`, so no job has to flip states at midnight."""

    __tablename__ = "coupons"
    __table_args__ = (
        CheckConstraint("state IN ('issued','used','void')", name="state"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("min_spend_cents >= 0", name="threshold_not_negative"),
        CheckConstraint("expires_at > issued_at", name="expires_after_issue"),
        CheckConstraint(
            "(state = 'used') = (used_at IS NOT NULL)", name="used_exactly_when_used_at"
        ),
        CheckConstraint(
            "(state = 'void') = (voided_at IS NOT NULL)", name="void_exactly_when_voided_at"
        ),
        # The order it was used on reached the threshold (NULL only for coupons used before
        # the amount was recorded).
        CheckConstraint(
            "used_on_cents IS NULL OR (state = 'used' AND used_on_cents > 0 "
            "AND used_on_cents >= min_spend_cents)",
            name="used_on_reaches_threshold",
        ),
        # The order a till reported it on (the API's write-off); cashiers' write-offs have none.
        CheckConstraint("used_order_ref IS NULL OR state = 'used'", name="order_ref_when_used"),
        # Issuing for a reason (a tier reached, ...) happens once, however often it is retried.
        UniqueConstraint(
            "member_id", "template_id", "reason_key", name="uq_coupons_member_template_reason"
        ),
        Index("ix_coupons_member_state", "member_id", "state", "expires_at"),
    )

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(16), unique=True)
    member_id: Mapped[int] = mapped_column(BigID, ForeignKey("members.id", ondelete="RESTRICT"))
    template_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("coupon_templates.id", ondelete="RESTRICT")
    )
    # Why it was issued: "tier" for a tier reached; "paid:<membership>:<period start day>" or
    # "paid:<membership>:<YYYY>Q<n>" for the paid card; "birthday:<YYYY>" for the birthday
    # month; "memberday:<YYYY-MM>" for the member day; "mall:<order id>" for a coupon bought
    # in the points mall (see rules.py).
    reason_key: Mapped[str] = mapped_column(String(40))
    # What it gives, as issued (editing the template later does not change held coupons).
    amount_cents: Mapped[int]
    min_spend_cents: Mapped[int]
    state: Mapped[str] = mapped_column(String(8), default="issued")
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[str | None] = mapped_column(String(200))
    used_on_cents: Mapped[int | None]  # the order amount the cashier entered
    used_order_ref: Mapped[str | None] = mapped_column(String(64))  # a till's order reference
    voided_at: Mapped[datetime | None]

    template: Mapped[CouponTemplate] = relationship(lazy="joined")

    @property
    def name(self) -> str:
        return self.template.name

    @property
    def display_code(self) -> str:
        return display_code(self.code)

    def is_expired(self, now: datetime) -> bool:
        return self.state == "issued" and self.expires_at <= now

    def is_usable(self, now: datetime) -> bool:
        return self.state == "issued" and self.expires_at > now

    def status_at(self, now: datetime) -> str:
        """'issued' (can be used), 'used', 'void' (its points-mall order was cancelled) or
        'expired', as a till is told."""
        if self.state in ("used", "void"):
            return self.state
        return "expired" if self.expires_at <= now else "issued"

    def refusal(self, now: datetime, order_cents: int | None = None) -> str | None:
        """Why it cannot be written off now on an order of `order_cents` (None: not checked):
        'used', 'void', 'expired' or 'min_spend'; None when it can. The write-off's UPDATE
        carries the same conditions; this only names the one that failed."""
        if self.state in ("used", "void"):
            return self.state
        if self.expires_at <= now:
            return "expired"
        if order_cents is not None and self.min_spend_cents > order_cents:
            return "min_spend"
        return None

    @property
    def mall_order_id(self) -> int | None:
        """The points-mall order that bought it, if any."""
        return order_of_reason(self.reason_key)

    @property
    def from_paid_card(self) -> bool:
        return self.reason_key.startswith(PAID_REASON_PREFIX)

    @property
    def reason_kind(self) -> str:
        """'tier', 'paid', 'birthday', 'member_day' or 'mall' (what the member is shown as the
        why)."""
        return reason_kind(self.reason_key)
