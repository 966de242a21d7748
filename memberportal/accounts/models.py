"""Staff accounts (separate from members, each with one role) and members' password resets."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from memberportal.core.clock import utcnow
from memberportal.core.db import BigID, intpk
from memberportal.extensions import db

# What staff see for a role (the stored value stays the code).
ROLE_LABELS = {"cashier": _l("Cashier"), "manager": _l("Manager"), "owner": _l("Owner")}


class StaffUser(UserMixin, db.Model):
    __tablename__ = "staff_users"
    __table_args__ = (CheckConstraint("role IN ('owner','manager','cashier')", name="role"),)

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # Part of the session's user id, like Member.session_version: deactivating the account,
    # changing its role or resetting its password adds one, so every session signed in
    # before it no longer loads this staff member (see get_id and the user loader).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    last_signed_in_at: Mapped[datetime | None]

    is_staff = True
    actor_kind = "staff"

    def get_id(self) -> str:
        return f"s:{self.id}:{self.session_version}"

    def session_is_current(self, version: str) -> bool:
        """Whether a session signed in at `version` still holds (sessions from before the
        version existed carry none and count as 0)."""
        return (version or "0") == str(self.session_version)

    @property
    def is_active(self) -> bool:
        return self.is_enabled

    @property
    def actor_id(self) -> int:
        return self.id

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS.get(self.role, self.role))

    @property
    def audit_label(self) -> str:
        return f"{self.role} {self.email}"


# A reset is open until it is used or voided (a newer reset or a password change voids it);
# an open reset whose time has passed is expired. The partial UNIQUE index keeps at most one
# open reset per member, so issuing a new one must void the old one first.
_OPEN = "used_at IS NULL AND voided_at IS NULL"


class PasswordReset(db.Model):
    """A one-time password reset a cashier issued for a member after checking who they are.

    Only hashes are stored: of the link's token (SHA-256, like API tokens) and of the short
    code (keyed with the app's secret and bound to the member; see accounts.rules).
    """

    __tablename__ = "password_resets"
    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
        CheckConstraint("used_at IS NULL OR voided_at IS NULL", name="used_or_voided"),
        Index(
            "uq_password_resets_one_open",
            "member_id",
            unique=True,
            postgresql_where=text(_OPEN),
            sqlite_where=text(_OPEN),
        ),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    # The staff member who checked the member's identity; empty when the system issued it (a
    # message sender to the phone or email on the account).
    issued_by_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("staff_users.id", ondelete="RESTRICT")
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]
