"""Staff accounts: separate from members, each with one role."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from memberportal.core.clock import utcnow
from memberportal.core.db import intpk
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

    is_staff = True
    actor_kind = "staff"

    def get_id(self) -> str:
        return f"s:{self.id}"

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
