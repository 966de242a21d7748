"""Who invited whom: one row per referred member (UNIQUE), never the member themself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from memberportal.core.db import BigID, intpk
from memberportal.extensions import db


class Referral(db.Model):
    __tablename__ = "referrals"
    __table_args__ = (
        CheckConstraint("referrer_id <> referred_id", name="not_self"),
        Index("ix_referrals_created_at", "created_at"),  # staff list them newest first
    )

    id: Mapped[intpk]
    referrer_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    referred_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT"), unique=True
    )
    points: Mapped[int]
    growth: Mapped[int]
    created_at: Mapped[datetime]
