"""Risk: the owner's thresholds, the scan's watermark, and the flags a scan records."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberportal.core.db import BigID, intpk
from memberportal.extensions import db

BIG_PURCHASE, MANY_PURCHASES, REFUND_RATE = "big_purchase", "many_purchases", "refund_rate"
# More friends joining through one member's invite link in one brand-local day than allowed:
# a sign of accounts made to farm invite rewards.
REFERRAL_BURST = "referral_burst"
RULES = (BIG_PURCHASE, MANY_PURCHASES, REFUND_RATE, REFERRAL_BURST)
OPEN, REVIEWED = "open", "reviewed"

# The sane ranges, shared by the form, the service and the CHECKs below.
BIG_PURCHASE_RANGE = (100, 100_000_000)  # ¥1 .. ¥1,000,000, in cents
DAILY_PURCHASES_RANGE = (1, 1000)
REFUND_RATE_RANGE = (1, 99)  # a rate above 100% cannot happen
REFERRALS_PER_DAY_RANGE = (1, 1000)
DEFAULT_THRESHOLDS = {
    "big_purchase_cents": 500_000, "daily_purchases": 8, "refund_rate_pct": 50,
    "referrals_per_day": 5,
}  # fmt: skip


class RiskRules(db.Model):
    """The one row of thresholds the owner sets; the defaults apply until it is saved."""

    __tablename__ = "risk_rules"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint(
            f"big_purchase_cents BETWEEN {BIG_PURCHASE_RANGE[0]} AND {BIG_PURCHASE_RANGE[1]}",
            name="big_purchase_range",
        ),
        CheckConstraint(
            f"daily_purchases BETWEEN {DAILY_PURCHASES_RANGE[0]} AND {DAILY_PURCHASES_RANGE[1]}",
            name="daily_purchases_range",
        ),
        CheckConstraint(
            f"refund_rate_pct BETWEEN {REFUND_RATE_RANGE[0]} AND {REFUND_RATE_RANGE[1]}",
            name="refund_rate_range",
        ),
        CheckConstraint(
            f"referrals_per_day BETWEEN {REFERRALS_PER_DAY_RANGE[0]}"
            f" AND {REFERRALS_PER_DAY_RANGE[1]}",
            name="referrals_per_day_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    # A single purchase above this amount is flagged.
    big_purchase_cents: Mapped[int] = mapped_column(default=500_000)
    # More than this many purchases by one member within one brand-local day are flagged.
    daily_purchases: Mapped[int] = mapped_column(default=8)
    # Refunds above this share of a member's purchases over the last 30 days are flagged.
    refund_rate_pct: Mapped[int] = mapped_column(default=50)
    # More than this many friends joining through one member's link in one day are flagged.
    referrals_per_day: Mapped[int] = mapped_column(default=5, server_default="5")


class RiskScan(db.Model):
    """The one row holding how far scans have read (their watermark).

    `scanned_until` is the time the last scan ran; the floors are ids below which every
    purchase and refund is older than a scan has already covered, so a scan reads its rows
    by primary-key range (no index on the transaction times is needed on the write path).
    """

    __tablename__ = "risk_scans"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("purchase_floor >= 0 AND refund_floor >= 0", name="floors"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    scanned_until: Mapped[datetime]
    scans: Mapped[int] = mapped_column(default=0)
    purchase_floor: Mapped[int] = mapped_column(BigID, default=0)
    refund_floor: Mapped[int] = mapped_column(BigID, default=0)


class RiskFlag(db.Model):
    """One abnormal transaction or pattern a scan found; a manager reviews it.

    `subject` names what was flagged (a purchase id, or a member and a brand-local day) and is
    UNIQUE per rule, so reruns and concurrent scans record each finding once.
    """

    __tablename__ = "risk_flags"
    __table_args__ = (
        UniqueConstraint("rule", "subject"),
        CheckConstraint(
            "rule IN ('big_purchase','many_purchases','refund_rate','referral_burst')", name="rule"
        ),
        CheckConstraint("status IN ('open','reviewed')", name="status"),
        CheckConstraint(
            "(status = 'open' AND reviewed_at IS NULL AND review_note IS NULL)"
            " OR (status = 'reviewed' AND reviewed_at IS NOT NULL AND review_note IS NOT NULL)",
            name="review_complete",
        ),
        CheckConstraint(
            "amount_cents >= 0 AND base_cents >= 0 AND purchase_count >= 0 AND rate_pct >= 0",
            name="figures",
        ),
        CheckConstraint(
            "(rule = 'big_purchase') = (purchase_id IS NOT NULL)", name="purchase_for_big"
        ),
        Index("ix_risk_flags_status_detected", "status", "detected_at", "id"),
    )

    id: Mapped[intpk]
    rule: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    purchase_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("purchases.id", ondelete="RESTRICT")
    )
    # The brand-local day the finding belongs to (the purchases' day, or the detection day).
    day: Mapped[date]
    # The figures that crossed the threshold: the purchase's amount (big) or the refunded
    # amount (rate) out of `base_cents` purchased, the number of purchases (that day, or in the
    # 30 days) or of friends who joined that day (referral burst), the refund rate in whole
    # percent (floored).
    amount_cents: Mapped[int] = mapped_column(default=0)
    base_cents: Mapped[int] = mapped_column(default=0)
    purchase_count: Mapped[int] = mapped_column(default=0)
    rate_pct: Mapped[int] = mapped_column(default=0)
    threshold: Mapped[int]
    detected_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    reviewed_at: Mapped[datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    review_note: Mapped[str | None] = mapped_column(String(500))
