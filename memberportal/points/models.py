"""Points: the program rules, the append-only ledger (each earning its own expiring lot) and
what each spend drew."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from memberportal.core.db import BigID, intpk
from memberportal.extensions import db

ROLLING = "rolling"
YEARLY = "yearly"

# What an entry does to the balance; the sign of `points` follows from it (CHECK below).
EARN, SPEND, EXPIRE, GIVE_BACK, CLAWBACK = "earn", "spend", "expire", "give_back", "clawback"
ENTRY_TYPES = (EARN, SPEND, EXPIRE, GIVE_BACK, CLAWBACK)


class ProgramRules(db.Model):
    """The one row of earning and expiry rules, edited by the owner."""

    __tablename__ = "program_rules"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("rate_pct > 0", name="rate_positive"),
        CheckConstraint("expiry_policy IN ('rolling','yearly')", name="expiry_policy"),
        CheckConstraint("expiry_months BETWEEN 1 AND 120", name="expiry_months"),
        CheckConstraint(
            "clearing_month BETWEEN 1 AND 12 AND clearing_day BETWEEN 1 AND 31", name="clearing"
        ),
        CheckConstraint("clearing_years_after BETWEEN 0 AND 10", name="clearing_years"),
        CheckConstraint("interaction_cap_pct BETWEEN 0 AND 100", name="interaction_cap"),
        CheckConstraint("qualification_months BETWEEN 1 AND 120", name="qualification"),
        CheckConstraint(
            "member_day IS NULL OR member_day BETWEEN 1 AND 28", name="member_day_in_month"
        ),
        CheckConstraint("member_day_multiplier_pct >= 100", name="member_day_multiplier"),
        CheckConstraint(
            "member_day_weekday IS NULL OR member_day_weekday BETWEEN 1 AND 7",
            name="member_day_weekday",
        ),
        # A member day is monthly (a day of the month) or weekly (a weekday), never both.
        CheckConstraint(
            "member_day IS NULL OR member_day_weekday IS NULL", name="member_day_one_kind"
        ),
        CheckConstraint("member_day_discount_bps BETWEEN 0 AND 9000", name="member_day_discount"),
        CheckConstraint("birthday_multiplier_pct BETWEEN 100 AND 1000", name="birthday_multiplier"),
        CheckConstraint(
            "sign_in_growth BETWEEN 0 AND 10000 AND profile_growth BETWEEN 0 AND 10000",
            name="interaction_growth",
        ),
        CheckConstraint("review_growth BETWEEN 0 AND 10000", name="review_growth"),
        CheckConstraint(
            "referral_points BETWEEN 0 AND 100000 AND share_growth BETWEEN 0 AND 10000",
            name="referral",
        ),
        CheckConstraint("approval_threshold_points >= 0", name="approval_threshold"),
        CheckConstraint(
            "sign_in_points BETWEEN 0 AND 100000 AND streak_bonus_days BETWEEN 2 AND 31"
            " AND streak_bonus_points BETWEEN 0 AND 100000"
            " AND streak_bonus_growth BETWEEN 0 AND 10000",
            name="streak",
        ),
        CheckConstraint(
            "referral_welcome_points BETWEEN 0 AND 100000"
            " AND referral_monthly_cap BETWEEN 0 AND 1000",
            name="referral_limits",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    # Points per yuan, in hundredths: 100 = 1 point per yuan.
    rate_pct: Mapped[int] = mapped_column(default=100)
    expiry_policy: Mapped[str] = mapped_column(String(16), default=ROLLING)
    expiry_months: Mapped[int] = mapped_column(default=12)
    clearing_month: Mapped[int] = mapped_column(default=12)
    clearing_day: Mapped[int] = mapped_column(default=31)
    clearing_years_after: Mapped[int] = mapped_column(default=1)
    interaction_cap_pct: Mapped[int] = mapped_column(default=40)
    qualification_months: Mapped[int] = mapped_column(default=12)
    member_day: Mapped[int | None] = mapped_column(default=None)
    member_day_multiplier_pct: Mapped[int] = mapped_column(default=200)
    # A weekly member day instead (ISO weekday, 1 = Monday), and the member day's discount at
    # the till (basis points: 1000 = 10% off; 0 = none).
    member_day_weekday: Mapped[int | None] = mapped_column(default=None)
    member_day_discount_bps: Mapped[int] = mapped_column(default=0, server_default="0")
    # Points multiplier in the member's birthday month (brand-local); 100 = no extra.
    birthday_multiplier_pct: Mapped[int] = mapped_column(default=100, server_default="100")
    # Growth per interaction: a daily sign-in, completing the profile (once), a review (once
    # per purchase).
    sign_in_growth: Mapped[int] = mapped_column(default=5, server_default="5")
    profile_growth: Mapped[int] = mapped_column(default=20, server_default="20")
    review_growth: Mapped[int] = mapped_column(default=10, server_default="10")
    # What the referrer earns for each new member who joins through their invite link.
    referral_points: Mapped[int] = mapped_column(default=100, server_default="100")
    share_growth: Mapped[int] = mapped_column(default=10, server_default="10")
    # A staff grant or take of more points than this waits for a second staff member's
    # approval (maker-checker, points.services.adjust_points).
    approval_threshold_points: Mapped[int] = mapped_column(default=1000, server_default="1000")
    # The daily sign-in's points; every `streak_bonus_days`-th consecutive brand-local day of
    # sign-ins adds the bonus points and growth (tiers.rules.sign_in_reward).
    sign_in_points: Mapped[int] = mapped_column(default=5, server_default="5")
    streak_bonus_days: Mapped[int] = mapped_column(default=7, server_default="7")
    streak_bonus_points: Mapped[int] = mapped_column(default=20, server_default="20")
    streak_bonus_growth: Mapped[int] = mapped_column(default=10, server_default="10")
    # What a member who joins through an invite link gets at once.
    referral_welcome_points: Mapped[int] = mapped_column(default=50, server_default="50")
    # Referrals rewarded per referrer and brand-local month; later ones are recorded, unpaid.
    referral_monthly_cap: Mapped[int] = mapped_column(default=10, server_default="10")
    # The referrer's reward waits for the friend's first purchase.
    referral_hold_until_purchase: Mapped[bool] = mapped_column(default=True)


class LedgerEntry(db.Model):
    """One change to a member's points. Rows are only ever inserted.

    An `earn` entry is also the lot it opened: one row per credit. Its lot state
    (`remaining`, `expired_batch`, `expired_points`) is the only part of any entry that
    changes after the insert, and only through the ledger's conditional UPDATEs. The lot's
    amount is `points + debt_points`: what was left after repaying a debt. An earning that
    repaid nothing but debt is a lot of 0 (remaining 0), never drawn, never expired.
    """

    __tablename__ = "point_entries"
    __table_args__ = (
        CheckConstraint(
            "entry_type IN ('earn','spend','expire','give_back','clawback')", name="entry_type"
        ),
        CheckConstraint(
            "(entry_type IN ('earn','give_back') AND points > 0)"
            " OR (entry_type IN ('spend','expire','clawback') AND points < 0)",
            name="sign_follows_type",
        ),
        CheckConstraint(
            "(entry_type = 'clawback' AND debt_points >= 0)"
            " OR (entry_type = 'earn' AND debt_points <= 0)"
            " OR debt_points = 0",
            name="debt_only_by_refund",
        ),
        # Lot state on earn entries only, and within the lot's amount (points + debt_points).
        CheckConstraint(
            "(entry_type = 'earn' AND remaining IS NOT NULL AND expired_points IS NOT NULL"
            " AND expires_at IS NOT NULL)"
            " OR (entry_type <> 'earn' AND remaining IS NULL AND expired_points IS NULL"
            " AND expired_batch IS NULL)",
            name="lot_state_on_earn",
        ),
        CheckConstraint(
            "remaining IS NULL OR (remaining >= 0 AND remaining <= points + debt_points)",
            name="remaining_range",
        ),
        CheckConstraint(
            "expired_points IS NULL"
            " OR (expired_points >= 0 AND expired_points <= points + debt_points)",
            name="expired_range",
        ),
        # Only an expiry names a lot (the earn entry it expired); an earning is its own lot.
        CheckConstraint("lot_id IS NULL OR entry_type = 'expire'", name="lot_named_by_expiry"),
        Index("ix_point_entries_member_history", "member_id", "id"),
        Index("ix_point_entries_source", "source_type", "source_id"),
        # An earning explains what consumed its lot, expiry runs included. Partial: only
        # expiries name a lot, and no other entry (nor a lot's UPDATE) adds to it.
        Index(
            "ix_point_entries_lot",
            "lot_id",
            postgresql_where=text("lot_id IS NOT NULL"),
            sqlite_where=text("lot_id IS NOT NULL"),
        ),
        # A member's open lots in spending order, and the lots an expiry run claims.
        Index(
            "ix_point_entries_member_open",
            "member_id",
            "expires_at",
            "id",
            postgresql_where=text("remaining > 0"),
            sqlite_where=text("remaining > 0"),
        ),
        Index(
            "ix_point_entries_due",
            "expires_at",
            postgresql_where=text("remaining > 0"),
            sqlite_where=text("remaining > 0"),
        ),
        Index(
            "ix_point_entries_expired_batch",
            "expired_batch",
            postgresql_where=text("expired_batch IS NOT NULL"),
            sqlite_where=text("expired_batch IS NOT NULL"),
        ),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(BigID, ForeignKey("members.id", ondelete="RESTRICT"))
    entry_type: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    points: Mapped[int]
    # Change to the member's debt: + by a refund's clawback, - when an earning repays it.
    debt_points: Mapped[int] = mapped_column(default=0)
    # An `expire` entry names the earn entry whose lot it expired.
    lot_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("point_entries.id", ondelete="RESTRICT")
    )
    source_type: Mapped[str | None] = mapped_column(String(32))
    source_id: Mapped[int | None] = mapped_column(BigID)
    # A give-back names the spend it returns; UNIQUE makes a second give-back impossible.
    # (No self-referencing foreign key: give_back loads the spend it names.)
    reverses_entry_id: Mapped[int | None] = mapped_column(BigID, unique=True)
    expires_at: Mapped[datetime | None]
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(BigID)
    actor_label: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime]
    # The lot of an `earn` entry (NULL on every other entry): what is still open to spend;
    # the expiry run that closed it, and how many points it expired.
    remaining: Mapped[int | None]
    expired_batch: Mapped[str | None] = mapped_column(String(32))
    expired_points: Mapped[int | None]

    @property
    def lot_amount(self) -> int | None:
        """What the earning's lot opened with: its points less the debt they repaid."""
        return self.points + self.debt_points if self.entry_type == EARN else None


class Allocation(db.Model):
    """Points an entry drew from (spend, clawback) or returned to (give-back) one lot."""

    __tablename__ = "point_allocations"
    __table_args__ = (
        CheckConstraint("points > 0", name="points_positive"),
        UniqueConstraint("entry_id", "lot_id"),
    )

    id: Mapped[intpk]
    entry_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("point_entries.id", ondelete="RESTRICT")
    )
    # The lot: the earn entry that opened it.
    lot_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("point_entries.id", ondelete="RESTRICT"), index=True
    )
    points: Mapped[int]


PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


class AdjustmentRequest(db.Model):
    """A staff grant or take above the approval threshold, waiting for a second person.

    Nothing reaches the ledger before a checker other than the maker approves it; the
    decision is one conditional UPDATE on the pending row, so two approvals apply it once.
    """

    __tablename__ = "point_adjustment_requests"
    __table_args__ = (
        CheckConstraint("points <> 0", name="points_not_zero"),
        CheckConstraint("status IN ('pending','approved','rejected')", name="status"),
        CheckConstraint("checker_id IS NULL OR checker_id <> maker_id", name="four_eyes"),
        CheckConstraint(
            "(status = 'pending') = (checker_id IS NULL AND decided_at IS NULL)", name="decided"
        ),
        CheckConstraint("status = 'approved' OR entry_id IS NULL", name="entry_only_approved"),
        Index("ix_point_adjustment_requests_status", "status", "id"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    points: Mapped[int]
    reason: Mapped[str] = mapped_column(String(500))
    maker_id: Mapped[int] = mapped_column(BigID, ForeignKey("staff_users.id", ondelete="RESTRICT"))
    maker_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    checker_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("staff_users.id", ondelete="RESTRICT")
    )
    checker_label: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(String(500))
    entry_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("point_entries.id", ondelete="RESTRICT")
    )
