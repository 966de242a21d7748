"""Tiers (VIP1-VIP4...): reached by growth value, each with its benefits."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from memberportal.core.db import BigID, intpk
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
        CheckConstraint("length(colour) = 7 AND substr(colour, 1, 1) = '#'", name="colour"),
        # One active tier per threshold: with ranks renumbered by threshold (tiers.editor),
        # thresholds strictly increase with rank, and only the entry tier sits at 0.
        Index(
            "uq_tiers_active_threshold",
            "growth_threshold",
            unique=True,
            sqlite_where=text("retired_at IS NULL"),
            postgresql_where=text("retired_at IS NULL"),
        ),  # fmt: skip
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
    # The card's colour, '#rrggbb'.
    colour: Mapped[str] = mapped_column(String(7), default="#6b7280", server_default="#6b7280")
    # A tier that had members is retired, never deleted: off the ladder, kept for history.
    retired_at: Mapped[datetime | None]

    @property
    def retired(self) -> bool:
        return self.retired_at is not None

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en)

    @property
    def benefits(self) -> str:
        return localized(self.benefits_zh, self.benefits_en)


class GrowthEntry(db.Model):
    """One change to a member's growth, dated so the qualification period can roll."""

    __tablename__ = "growth_entries"
    __table_args__ = (
        CheckConstraint("kind IN ('spend','interaction')", name="kind"),
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        Index("ix_growth_entries_member_at", "member_id", "at"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(BigID, ForeignKey("members.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(16))
    # What it was for: purchase, refund, sign_in, profile, review, share...
    cause: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int]
    source_type: Mapped[str | None] = mapped_column(String(32))
    source_id: Mapped[int | None] = mapped_column(BigID)
    at: Mapped[datetime]


class TierChange(db.Model):
    """A member moved between tiers, and why."""

    __tablename__ = "tier_changes"
    __table_args__ = (
        CheckConstraint("cause IN ('growth','reevaluation','staff')", name="cause"),
        CheckConstraint("from_tier_id <> to_tier_id", name="is_a_move"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    from_tier_id: Mapped[int] = mapped_column(BigID, ForeignKey("tiers.id", ondelete="RESTRICT"))
    to_tier_id: Mapped[int] = mapped_column(BigID, ForeignKey("tiers.id", ondelete="RESTRICT"))
    cause: Mapped[str] = mapped_column(String(16))
    growth_spend: Mapped[int]
    growth_interaction: Mapped[int]
    actor_label: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]


class SignIn(db.Model):
    """A daily sign-in (签到): one per member per day in the brand's time zone (UNIQUE).

    `streak` counts consecutive brand-local days ending on `day` (1 after a missed day);
    `points` and `growth` are what the day earned, the streak bonus included.
    """

    __tablename__ = "sign_ins"
    __table_args__ = (
        UniqueConstraint("member_id", "day"),
        CheckConstraint("growth >= 0", name="growth_not_negative"),
        CheckConstraint("points >= 0", name="points_not_negative"),
        CheckConstraint("streak >= 1", name="streak_positive"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(BigID, ForeignKey("members.id", ondelete="RESTRICT"))
    day: Mapped[date]
    growth: Mapped[int]
    at: Mapped[datetime]
    streak: Mapped[int] = mapped_column(default=1, server_default="1")
    points: Mapped[int] = mapped_column(default=0, server_default="0")
    bonus: Mapped[bool] = mapped_column(default=False)


class ProfileCompletion(db.Model):
    """The profile was completed (name and birthday): growth once per member (UNIQUE)."""

    __tablename__ = "profile_completions"
    __table_args__ = (CheckConstraint("growth >= 0", name="growth_not_negative"),)

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT"), unique=True
    )
    growth: Mapped[int]
    at: Mapped[datetime]
