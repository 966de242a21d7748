"""Stored value (储值): top-up plans, each member's wallet, top-ups, spends and the ledger.

The wallet row caches the balance in two parts, principal (what the member paid) and bonus
(what the brand added); CHECKs keep both >= 0 and only conditional UPDATEs change them, in the
same transaction that appends the ledger rows whose sums they must equal (`wallet verify`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from memberportal.core.clock import utcnow
from memberportal.core.db import BigID, intpk
from memberportal.core.i18n import localized
from memberportal.extensions import db

TOPUP_STATES = ("pending", "paid", "expired", "refunding", "refunded", "charged_back")
ENTRY_KINDS = ("topup", "spend", "spend_refund", "topup_refund", "chargeback")


class TopUpPlan(db.Model):
    """Pay `pay_cents`, receive `pay_cents + bonus_cents` (and optionally bonus points)."""

    __tablename__ = "wallet_plans"
    __table_args__ = (
        CheckConstraint("pay_cents > 0", name="pay_positive"),
        CheckConstraint("bonus_cents >= 0", name="bonus_not_negative"),
        CheckConstraint("bonus_points >= 0", name="bonus_points_not_negative"),
        CheckConstraint(
            "ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at", name="window_order"
        ),  # fmt: skip
    )

    id: Mapped[intpk]
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    pay_cents: Mapped[int]
    bonus_cents: Mapped[int] = mapped_column(default=0)
    bonus_points: Mapped[int] = mapped_column(default=0)
    min_tier_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("tiers.id", ondelete="RESTRICT")
    )
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    min_tier = relationship("Tier", lazy="joined")

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en)

    @property
    def credit_cents(self) -> int:
        return self.pay_cents + self.bonus_cents

    def on_sale(self, now: datetime) -> bool:
        return (
            self.active
            and (self.starts_at is None or self.starts_at <= now)
            and (self.ends_at is None or now < self.ends_at)
        )


class Wallet(db.Model):
    """A member's stored value. Frozen while a top-up payment of theirs is disputed."""

    __tablename__ = "wallets"
    __table_args__ = (
        CheckConstraint("principal_cents >= 0", name="principal_not_negative"),
        CheckConstraint("bonus_cents >= 0", name="bonus_not_negative"),
        CheckConstraint("open_disputes >= 0", name="open_disputes_not_negative"),
    )

    member_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT"), primary_key=True
    )
    principal_cents: Mapped[int] = mapped_column(default=0)
    bonus_cents: Mapped[int] = mapped_column(default=0)
    # Disputes of this member's top-ups still open: spending waits while any is.
    open_disputes: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def total_cents(self) -> int:
        return self.principal_cents + self.bonus_cents

    @property
    def frozen(self) -> bool:
        return self.open_disputes > 0


class TopUp(db.Model):
    """One top-up checkout: pending until the verified webhook says paid, once."""

    __tablename__ = "wallet_topups"
    __table_args__ = (
        CheckConstraint(f"state IN ({', '.join(repr(s) for s in TOPUP_STATES)})", name="state"),
        CheckConstraint("pay_cents > 0 AND bonus_cents >= 0", name="amounts"),
        CheckConstraint(
            "refunded_principal_cents >= 0 AND refunded_principal_cents <= pay_cents"
            " AND forfeited_bonus_cents >= 0 AND forfeited_bonus_cents <= bonus_cents",
            name="refund_within_topup",
        ),
        CheckConstraint(
            "state IN ('pending', 'expired') OR paid_at IS NOT NULL", name="paid_has_time"
        ),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    plan_id: Mapped[int] = mapped_column(BigID, ForeignKey("wallet_plans.id", ondelete="RESTRICT"))
    pay_cents: Mapped[int]
    bonus_cents: Mapped[int]
    bonus_points: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    checkout_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    refund_id: Mapped[str | None] = mapped_column(String(255))
    refunded_principal_cents: Mapped[int] = mapped_column(default=0)
    forfeited_bonus_cents: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]

    plan = relationship(TopUpPlan, lazy="joined")


class Spend(db.Model):
    """A payment from the wallet, at the counter or by a till's API call, once per
    (source, order_ref). It keeps how much principal and bonus it took, so refunds of it
    give back the same parts."""

    __tablename__ = "wallet_spends"
    __table_args__ = (
        UniqueConstraint("source", "order_ref"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(
            "principal_cents >= 0 AND bonus_cents >= 0"
            " AND principal_cents + bonus_cents = amount_cents",
            name="parts",
        ),
        CheckConstraint(
            "refunded_cents >= 0 AND refunded_cents <= amount_cents", name="refund_within"
        ),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    source: Mapped[str] = mapped_column(String(40))
    order_ref: Mapped[str] = mapped_column(String(64))
    amount_cents: Mapped[int]
    principal_cents: Mapped[int]
    bonus_cents: Mapped[int]
    refunded_cents: Mapped[int] = mapped_column(default=0)
    actor_label: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class SpendRefund(db.Model):
    """A refund of (part of) a spend, once per (spend, refund_ref)."""

    __tablename__ = "wallet_spend_refunds"
    __table_args__ = (
        UniqueConstraint("spend_id", "refund_ref"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(
            "principal_cents >= 0 AND bonus_cents >= 0"
            " AND principal_cents + bonus_cents = amount_cents",
            name="parts",
        ),
    )

    id: Mapped[intpk]
    spend_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("wallet_spends.id", ondelete="RESTRICT"), index=True
    )
    refund_ref: Mapped[str] = mapped_column(String(64))
    amount_cents: Mapped[int]
    principal_cents: Mapped[int]
    bonus_cents: Mapped[int]
    reason: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class WalletEntry(db.Model):
    """The append-only ledger: every change of a wallet, signed, in its two parts. No code
    path updates or deletes a row; the wallet's cached balance equals their sums."""

    __tablename__ = "wallet_entries"
    __table_args__ = (
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in ENTRY_KINDS)})", name="kind"),
        CheckConstraint("principal_cents <> 0 OR bonus_cents <> 0", name="moves_something"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    principal_cents: Mapped[int]
    bonus_cents: Mapped[int]
    topup_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("wallet_topups.id", ondelete="RESTRICT")
    )
    spend_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("wallet_spends.id", ondelete="RESTRICT")
    )
    reference: Mapped[str | None] = mapped_column(String(200))
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(BigID)
    actor_label: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    @property
    def total_cents(self) -> int:
        return self.principal_cents + self.bonus_cents


class Dispute(db.Model):
    """A bank dispute of a top-up payment: open freezes the wallet, closing thaws it; UNIQUE
    dispute id so an opening and a closing in either order act once each."""

    __tablename__ = "wallet_disputes"
    __table_args__ = (CheckConstraint("state IN ('open', 'won', 'lost')", name="state"),)

    id: Mapped[intpk]
    dispute_id: Mapped[str] = mapped_column(String(255), unique=True)
    topup_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("wallet_topups.id", ondelete="RESTRICT")
    )
    state: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WalletSettings(db.Model):
    """The program's stored-value options (one row). `tier_needs_balance`: 余额为0时自动降级,
    members with no stored value lose the benefits of the tiers marked in BalanceTier."""

    __tablename__ = "wallet_settings"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    tier_needs_balance: Mapped[bool] = mapped_column(default=False)


class BalanceTier(db.Model):
    """A tier whose benefits need a stored balance while the option is on."""

    __tablename__ = "wallet_balance_tiers"

    tier_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("tiers.id", ondelete="RESTRICT"), primary_key=True
    )
