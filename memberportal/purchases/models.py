"""Purchases reported by the till or a shop, and their refunds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberportal.core.db import BigID, intpk
from memberportal.extensions import db


class Purchase(db.Model):
    __tablename__ = "purchases"
    __table_args__ = (
        UniqueConstraint("source", "order_ref"),
        # A reporting system's request key, once per system (API purchases; purchases_0004).
        UniqueConstraint("source", "request_key"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(
            "refunded_cents >= 0 AND refunded_cents <= amount_cents", name="refund_within_amount"
        ),
        CheckConstraint(
            "points_refunded >= 0 AND points_refunded <= points_earned", name="points_refunded"
        ),
        CheckConstraint(
            "growth_refunded >= 0 AND growth_refunded <= growth_earned", name="growth_refunded"
        ),
        # Reports group purchases by member within a period from this index alone (reports_0001).
        Index(
            "ix_purchases_member_at",
            "member_id",
            "at",
            postgresql_include=["amount_cents", "refunded_cents"],
        ),  # fmt: skip
        CheckConstraint(
            "discount_kind IS NULL OR discount_kind IN ('paid_card','member_day')",
            name="discount_kind",
        ),
        CheckConstraint(
            "(discount_kind IS NULL) = (discount_bps IS NULL) "
            "AND (discount_kind IS NULL) = (discount_cents IS NULL)",
            name="discount_whole",
        ),
        CheckConstraint(
            "discount_bps IS NULL OR (discount_bps BETWEEN 1 AND 10000 AND discount_cents >= 0)",
            name="discount_range",
        ),
    )

    id: Mapped[intpk]
    # Found by member through ix_purchases_member_at (a second index on it alone cost every
    # purchase one more index write: dropped in purchases_0004).
    member_id: Mapped[int] = mapped_column(BigID, ForeignKey("members.id", ondelete="RESTRICT"))
    source: Mapped[str] = mapped_column(String(32))
    order_ref: Mapped[str] = mapped_column(String(64))
    amount_cents: Mapped[int]
    refunded_cents: Mapped[int] = mapped_column(default=0)
    # The rule applied, kept so the member's history can explain the earning.
    rate_pct: Mapped[int]
    multiplier_pct: Mapped[int]
    points_earned: Mapped[int] = mapped_column(default=0)
    points_refunded: Mapped[int] = mapped_column(default=0)
    growth_earned: Mapped[int] = mapped_column(default=0)
    growth_refunded: Mapped[int] = mapped_column(default=0)
    # The discount granted at the till on this order (purchases.services.checkout): which one
    # (the paid card's or the member day's), its rate and the fen it took off. NULL: none.
    discount_kind: Mapped[str | None] = mapped_column(String(16))
    discount_bps: Mapped[int | None]
    discount_cents: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(String(500))
    store: Mapped[str | None] = mapped_column(String(100))
    actor_label: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]
    # The request that reported it (API: the client's request key and the request's hash),
    # and what the purchase answered that is not a fact of the purchase itself: the balance
    # and the tier after it, and the move it made ("VIP1->VIP2"). A retry is answered from
    # this row. The key and hash are forgotten after the days clients may retry within.
    request_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    balance_after: Mapped[int | None]
    tier_after: Mapped[str | None] = mapped_column(String(16))
    tier_move: Mapped[str | None] = mapped_column(String(40))

    @property
    def refundable_cents(self) -> int:
        return self.amount_cents - self.refunded_cents


class Refund(db.Model):
    __tablename__ = "refunds"
    __table_args__ = (
        UniqueConstraint("purchase_id", "refund_ref"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("points_taken >= 0 AND growth_taken >= 0", name="taken_not_negative"),
    )

    id: Mapped[intpk]
    purchase_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("purchases.id", ondelete="RESTRICT"), index=True
    )
    amount_cents: Mapped[int]
    refund_ref: Mapped[str | None] = mapped_column(String(64))
    # Why the cashier refunded (required at the desk; a shop's API may give none).
    reason: Mapped[str | None] = mapped_column(String(200))
    points_taken: Mapped[int] = mapped_column(default=0)
    growth_taken: Mapped[int] = mapped_column(default=0)
    actor_label: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]
