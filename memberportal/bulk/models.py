"""Bulk work from an uploaded CSV: one upload, its rows, each row's preview and result."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberportal.core.db import BigID, intpk
from memberportal.extensions import db

POINTS, MEMBERS = "points", "members"
PREVIEWED, RUNNING, DONE, CANCELLED = "previewed", "running", "done", "cancelled"

# What the preview expects for a row; the run may still find otherwise (the balance moved).
OK, APPROVAL, UNKNOWN_MEMBER, NEGATIVE, INVALID, DUPLICATE = (
    "ok", "approval", "unknown_member", "negative", "invalid", "duplicate",
)  # fmt: skip
# What the run did with a row.
PENDING, APPLIED, REQUESTED, FAILED, SKIPPED = (
    "pending",
    "applied",
    "requested",
    "failed",
    "skipped",
)


class BulkUpload(db.Model):
    """One uploaded file. The same file (same kind, same bytes) is taken once: UNIQUE sha256."""

    __tablename__ = "bulk_uploads"
    __table_args__ = (
        UniqueConstraint("kind", "sha256"),
        CheckConstraint("kind IN ('points','members')", name="kind"),
        CheckConstraint("status IN ('previewed','running','done','cancelled')", name="status"),
        CheckConstraint(
            "(status = 'previewed' OR status = 'cancelled') = (confirmed_at IS NULL)",
            name="confirmed",
        ),  # fmt: skip
        CheckConstraint("(status = 'done') = (finished_at IS NOT NULL)", name="finished"),
        CheckConstraint("total_rows >= 0", name="total_rows"),
        # Cancelling a preview releases the file: only then may the hash be empty.
        CheckConstraint("sha256 IS NOT NULL OR status = 'cancelled'", name="hash_kept"),
    )

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=PREVIEWED)
    total_rows: Mapped[int] = mapped_column(default=0)
    uploaded_by: Mapped[int] = mapped_column(
        BigID, ForeignKey("staff_users.id", ondelete="RESTRICT")
    )
    uploaded_at: Mapped[datetime]
    confirmed_by: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("staff_users.id", ondelete="RESTRICT")
    )
    confirmed_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class BulkRow(db.Model):
    """One line of an upload: what it asked (`data`), what the preview expected (`outcome`)
    and what the run did (`result`, with the ledger entry or approval request it made)."""

    __tablename__ = "bulk_rows"
    __table_args__ = (
        UniqueConstraint("upload_id", "line_no"),
        CheckConstraint(
            "outcome IN ('ok','approval','unknown_member','negative','invalid','duplicate')",
            name="outcome",
        ),
        CheckConstraint(
            "result IN ('pending','applied','requested','failed','skipped')", name="result"
        ),
        CheckConstraint("line_no > 0", name="line_no"),
        Index("ix_bulk_rows_pending", "upload_id", "result", "line_no"),
    )

    id: Mapped[intpk]
    upload_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("bulk_uploads.id", ondelete="RESTRICT")
    )
    line_no: Mapped[int]
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    member_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT")
    )
    outcome: Mapped[str] = mapped_column(String(16))
    problem: Mapped[str | None] = mapped_column(String(40))  # a code, worded when shown
    result: Mapped[str] = mapped_column(String(16), default=PENDING)
    error: Mapped[str | None] = mapped_column(String(40))  # the refusing DomainError's code
    ref_id: Mapped[int | None] = mapped_column(BigID)
