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
        CheckConstraint("phone IS NOT NULL OR email IS NOT NULL", name="has_contact"),
    )

    id: Mapped[intpk]
    member_no: Mapped[str] = mapped_column(String(16), unique=True)
    card_code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    birthday: Mapped[date | None]
    tier_id: Mapped[int] = mapped_column(BigID, ForeignKey("tiers.id", ondelete="RESTRICT"))
    # Cached balance, changed only by the points ledger's conditional updates.
    points_balance: Mapped[int] = mapped_column(default=0)
    # Growth value counted towards tiers (spend plus capped interactions).
    growth: Mapped[int] = mapped_column(default=0)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_active_member: Mapped[bool] = mapped_column(default=True)

    tier: Mapped[Tier] = relationship(lazy="joined")

    is_staff = False
    actor_kind = "member"

    def get_id(self) -> str:
        return f"m:{self.id}"

    @property
    def is_active(self) -> bool:
        return self.is_active_member

    @property
    def actor_id(self) -> int:
        return self.id

    @property
    def audit_label(self) -> str:
        return f"member {self.member_no}"
