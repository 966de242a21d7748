"""A member's review of one of their purchases: one per purchase (UNIQUE).

When the purchase is later refunded in full, the review stays (the member and staff still read
it) but its growth is taken back once: growth_returned_at and returned_by_refund_id are set
together by a conditional UPDATE, so the take-back cannot happen twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from memberportal.core.db import BigID, intpk
from memberportal.extensions import db

TEXT_MIN, TEXT_MAX = 10, 500


class Review(db.Model):
    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        # length() counts characters on both engines; the text is stored trimmed.
        CheckConstraint(f"length(text) BETWEEN {TEXT_MIN} AND {TEXT_MAX}", name="text_length"),
        CheckConstraint("growth >= 0", name="growth_not_negative"),
        CheckConstraint(
            "(growth_returned_at IS NULL) = (returned_by_refund_id IS NULL)",
            name="growth_returned_by_a_refund",
        ),
        Index("ix_reviews_created_at", "created_at"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    purchase_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("purchases.id", ondelete="RESTRICT"), unique=True
    )
    rating: Mapped[int]
    text: Mapped[str] = mapped_column(String(TEXT_MAX))
    growth: Mapped[int]
    created_at: Mapped[datetime]
    # Set when the refund that completed the purchase took the review's growth back.
    growth_returned_at: Mapped[datetime | None]
    returned_by_refund_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("refunds.id", ondelete="RESTRICT"), unique=True
    )

    @property
    def growth_returned(self) -> bool:
        return self.growth_returned_at is not None
