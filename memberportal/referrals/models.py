"""Who invited whom: one row per referred member (UNIQUE), never the member themself; and how
many referrals each referrer was paid for in each brand-local month."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from memberportal.core.db import BigID, intpk
from memberportal.extensions import db

# held: the referrer's reward waits for the friend's first purchase; rewarded: paid;
# capped: the referrer had reached the monthly cap when it was due, so nothing was paid.
HELD, REWARDED, CAPPED = "held", "rewarded", "capped"


class Referral(db.Model):
    __tablename__ = "referrals"
    __table_args__ = (
        CheckConstraint("referrer_id <> referred_id", name="not_self"),
        CheckConstraint("status IN ('held','rewarded','capped')", name="status"),
        CheckConstraint("(status = 'held') = (decided_at IS NULL)", name="decided_when_paid"),
        CheckConstraint("status <> 'capped' OR (points = 0 AND growth = 0)", name="capped_unpaid"),
        CheckConstraint(
            "points >= 0 AND growth >= 0 AND welcome_points >= 0", name="amounts_not_negative"
        ),
        Index("ix_referrals_created_at", "created_at"),  # staff list them newest first
        Index("ix_referrals_referrer_created", "referrer_id", "created_at"),  # the burst scan
    )

    id: Mapped[intpk]
    referrer_id: Mapped[int] = mapped_column(BigID, ForeignKey("members.id", ondelete="RESTRICT"))
    referred_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT"), unique=True
    )
    # What the referrer earns (or earned) for this friend; 0 when the monthly cap stopped it.
    points: Mapped[int]
    growth: Mapped[int]
    created_at: Mapped[datetime]
    # What the new member got on joining.
    welcome_points: Mapped[int] = mapped_column(default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(16), default=HELD, server_default=HELD)
    # When the reward was paid or refused by the cap.
    decided_at: Mapped[datetime | None]


class ReferralQuota(db.Model):
    """Referrals paid to one referrer in one brand-local month ("2027-03"): the monthly cap is
    a conditional UPDATE of `rewarded` on this row."""

    __tablename__ = "referral_quotas"
    __table_args__ = (CheckConstraint("rewarded >= 0", name="rewarded_not_negative"),)

    referrer_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT"), primary_key=True
    )
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    rewarded: Mapped[int] = mapped_column(default=0)
