"""When referral points expire: a fixed validity, counted in the brand's days."""

from __future__ import annotations

from datetime import date

from memberportal.points.rules import add_months

VALID_MONTHS = 6


def referral_expiry_day(earned_on: date) -> date:
    """The last day referral points earned on `earned_on` can be spent (6 months later)."""
    return add_months(earned_on, VALID_MONTHS)


def quota_month(local_day: date) -> str:
    """The brand-local month a referral reward counts in for the monthly cap: "2027-03"."""
    return f"{local_day.year:04d}-{local_day.month:02d}"
