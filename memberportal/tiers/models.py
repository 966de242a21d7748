"""Tiers (VIP1-VIP4...): reached by growth value, each with its benefits."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from memberportal.core.db import intpk
from memberportal.core.i18n import localized
from memberportal.extensions import db


class Tier(db.Model):
    __tablename__ = "tiers"
    __table_args__ = (
        CheckConstraint("growth_threshold >= 0", name="threshold_not_negative"),
        CheckConstraint("points_multiplier_pct >= 100", name="multiplier_at_least_one"),
        CheckConstraint(
            "paid_discount_bps >= 0 AND paid_discount_bps <= 10000", name="discount_range"
        ),
    )

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(16), unique=True)
    rank: Mapped[int] = mapped_column(unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    growth_threshold: Mapped[int] = mapped_column(default=0)
    points_multiplier_pct: Mapped[int] = mapped_column(default=100)
    paid_discount_bps: Mapped[int] = mapped_column(default=0)
    benefits_zh: Mapped[str] = mapped_column(Text, default="")
    benefits_en: Mapped[str] = mapped_column(Text, default="")

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en)

    @property
    def benefits(self) -> str:
        return localized(self.benefits_zh, self.benefits_en)
