"""The one row of brand settings the owner saves in the first-run setup."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from memberportal.extensions import db


class BrandSettings(db.Model):
    __tablename__ = "brand_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("currency_display IN ('symbol','name')", name="currency_display"),
        CheckConstraint("length(name) > 0", name="name_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    name: Mapped[str] = mapped_column(String(64))
    time_zone: Mapped[str] = mapped_column(String(64))
    currency_display: Mapped[str] = mapped_column(String(8), default="symbol")
    # When the owner finished the first-run setup (None: the setup page is still shown).
    setup_done_at: Mapped[datetime | None]
