"""Payments: the verified webhook events, the business facts they report, the demo store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from memberportal.core.clock import utcnow
from memberportal.core.db import BigID, intpk
from memberportal.extensions import db

OUTCOMES = ("received", "applied", "no_change", "unmatched", "ignored")


class StripeEvent(db.Model):
    """Every verified event, once (UNIQUE event id); unmatched ones are listed for the owner.
    The customer, subscription and membership columns say what the event was about, as the
    handler that took it reported (see events.Outcome)."""

    __tablename__ = "stripe_events"
    __table_args__ = (
        CheckConstraint(f"outcome IN ({', '.join(repr(o) for o in OUTCOMES)})", name="outcome"),
    )

    id: Mapped[intpk]
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    outcome: Mapped[str] = mapped_column(String(16), default="received", index=True)
    customer_id: Mapped[str | None] = mapped_column(String(255))
    subscription_id: Mapped[str | None] = mapped_column(String(255))
    membership_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("memberships.id", ondelete="RESTRICT")
    )
    note: Mapped[str | None] = mapped_column(String(500))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)


class PaymentFact(db.Model):
    """The business fact an event reports, keyed so two event ids for one change act once:
    'invoice.paid:<invoice>', 'refund:<charge>:<amount refunded so far>'."""

    __tablename__ = "payment_facts"

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(300), unique=True)
    event_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DemoStripeObject(db.Model):
    """Demo mode only: the objects the offline gateway keeps (what Stripe would hold)."""

    __tablename__ = "demo_stripe_objects"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict] = mapped_column(JSON)
