"""A member's claim for a purchase that earned no points, and the staff decision on it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from memberportal.core.db import BigID, intpk
from memberportal.extensions import db

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
STORE_MAX, NOTE_MAX, REASON_MAX = 100, 500, 500


class Claim(db.Model):
    __tablename__ = "points_claims"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("status IN ('pending','approved','rejected')", name="status"),
        CheckConstraint("(status = 'pending') = (decided_at IS NULL)", name="decided_when_done"),
        CheckConstraint("(status = 'approved') = (purchase_id IS NOT NULL)", name="approved_buys"),
        CheckConstraint("(status = 'rejected') = (reject_reason IS NOT NULL)", name="why_rejected"),
        CheckConstraint("length(store) > 0", name="store_given"),
        # One open or approved claim per purchase as the member describes it; a rejected one
        # may be claimed again (with a better photo).
        Index(
            "uq_points_claims_purchase", "member_id", "store", "purchased_on", "amount_cents",
            unique=True,
            postgresql_where=text("status <> 'rejected'"),
            sqlite_where=text("status <> 'rejected'"),
        ),
        Index("ix_points_claims_status_submitted", "status", "submitted_at", "id"),
    )  # fmt: skip

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    store: Mapped[str] = mapped_column(String(STORE_MAX))
    purchased_on: Mapped[date]  # the brand-local day on the receipt
    amount_cents: Mapped[int]
    # The receipt photo, stored under instance/uploads/claims by its hash (claims.receipts).
    receipt: Mapped[str | None] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(String(NOTE_MAX))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    submitted_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(200))
    reject_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    # The purchase the approval recorded (through purchases.services.record_purchase).
    purchase_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("purchases.id", ondelete="RESTRICT"), unique=True
    )
