"""Members: the customer's identity, card and cached standing (tier, points balance)."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from memberportal.core.clock import utcnow
from memberportal.core.db import BigID, intpk
from memberportal.extensions import db
from memberportal.tiers.models import Tier


class Member(UserMixin, db.Model):
    __tablename__ = "members"
    __table_args__ = (
        CheckConstraint(
            "phone IS NOT NULL OR email IS NOT NULL OR closed_at IS NOT NULL", name="has_contact"
        ),
        # A closed account keeps its number for the books and nothing that names the person.
        CheckConstraint(
            "closed_at IS NULL OR (phone IS NULL AND email IS NULL AND birthday IS NULL"
            " AND name = '' AND NOT is_active_member)",
            name="closed_erased",
        ),
        # Points: a debt exists only through a refund's clawback; the open lots never go below 0,
        # so the balance (open lots minus debt) is negative only while a debt is owed.
        CheckConstraint("points_debt >= 0", name="points_debt_not_negative"),
        CheckConstraint("points_balance + points_debt >= 0", name="points_negative_only_by_debt"),
        CheckConstraint("growth_spend >= 0 AND growth_interaction >= 0", name="growth_parts"),
        CheckConstraint("(frozen_at IS NULL) = (frozen_reason IS NULL)", name="frozen_with_reason"),
        CheckConstraint("birthday IS NULL OR birthday >= '1900-01-01'", name="birthday_plausible"),
        CheckConstraint(
            "(consent_version IS NULL) = (consented_at IS NULL)", name="consent_with_time"
        ),
    )

    id: Mapped[intpk]
    member_no: Mapped[str] = mapped_column(String(16), unique=True)
    card_code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    birthday: Mapped[date | None]
    # The privacy notice and user agreement accepted on joining (members.rules.CONSENT_VERSION).
    consent_version: Mapped[str | None] = mapped_column(String(16))
    consented_at: Mapped[datetime | None]
    tier_id: Mapped[int] = mapped_column(BigID, ForeignKey("tiers.id", ondelete="RESTRICT"))
    # Cached balance, changed only by the points ledger's conditional updates.
    points_balance: Mapped[int] = mapped_column(default=0)
    # Points owed after a refund clawed back points already spent; earnings repay it first.
    points_debt: Mapped[int] = mapped_column(default=0, server_default="0")
    # Growth value counted towards tiers (spend plus capped interactions).
    growth: Mapped[int] = mapped_column(default=0)
    # Growth within the rolling qualification period, by origin (tiers.services keeps them).
    growth_spend: Mapped[int] = mapped_column(default=0, server_default="0")
    growth_interaction: Mapped[int] = mapped_column(default=0, server_default="0")
    # When the current tier was reached: it is kept until the end of that qualification period.
    tier_since: Mapped[datetime | None]
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_active_member: Mapped[bool] = mapped_column(default=True)
    # Part of the session's user id: a password change or reset adds one, so every session
    # signed in before it no longer loads the member (see get_id and the user loader).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    # Set while a manager holds the account for review (risk.freezes.freeze_member): the
    # ledger's spend refuses in its conditional UPDATE of this row; earning goes on.
    frozen_at: Mapped[datetime | None]
    frozen_reason: Mapped[str | None] = mapped_column(String(500))
    # Set when the member closed the account (privacy.services.close_account): personal data
    # erased, sign-in impossible, hidden from staff pages; points and orders kept anonymised.
    closed_at: Mapped[datetime | None]

    tier: Mapped[Tier] = relationship(lazy="joined")

    is_staff = False
    actor_kind = "member"

    def get_id(self) -> str:
        return f"m:{self.id}:{self.session_version}"

    def session_is_current(self, version: str) -> bool:
        """Whether a session signed in at `version` still holds (sessions from before the
        version existed carry none and count as 0)."""
        return (version or "0") == str(self.session_version)

    @property
    def is_active(self) -> bool:
        return self.is_active_member

    @property
    def actor_id(self) -> int:
        return self.id

    @property
    def audit_label(self) -> str:
        return f"member {self.member_no}"
