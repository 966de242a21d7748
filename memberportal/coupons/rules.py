"""Pure coupon rules: codes, expiry days, paid-card reasons and quarters, template checks."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

# No 0/O, 1/I/L: a cashier types what the member shows without guessing.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
TIER_REASON = "tier"
PAID_REASON_PREFIX = "paid:"


def new_code() -> str:
    """A random coupon code (31^10, about 8e14 codes): guessing one is not practical."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str | None) -> str:
    """What a cashier typed or scanned, without spaces or dashes, upper case."""
    return re.sub(r"[^0-9A-Z]", "", (text or "").upper())


def display_code(code: str) -> str:
    """'ABCDE23456' -> 'ABCDE 23456': easier to read aloud and type."""
    return " ".join(code[i : i + 5] for i in range(0, len(code), 5))


def last_valid_day(issue_day: date, valid_days: int) -> date:
    """Valid for N days counting the day of issue: issued 1 March for 30 days -> 30 March."""
    if valid_days < 1:
        raise ValueError("valid_days must be at least 1")
    return issue_day + timedelta(days=valid_days - 1)


def quarter_of(day: date) -> tuple[int, int]:
    """(year, quarter 1-4) of a brand-local day."""
    return day.year, (day.month - 1) // 3 + 1


def last_day_of_quarter(day: date) -> date:
    """31 March, 30 June, 30 September or 31 December of the day's quarter."""
    year, quarter = quarter_of(day)
    if quarter == 4:
        return date(year, 12, 31)
    return date(year, quarter * 3 + 1, 1) - timedelta(days=1)


def paid_period_reason(membership_id: int, period_start_day: date) -> str:
    """Once per paid period: a renewal starts a new period and so earns the coupon again."""
    return f"{PAID_REASON_PREFIX}{membership_id}:{period_start_day.isoformat()}"


def paid_quarter_reason(membership_id: int, day: date) -> str:
    """Once per brand-local calendar quarter while the card is active: 'paid:7:2027Q2'."""
    year, quarter = quarter_of(day)
    return f"{PAID_REASON_PREFIX}{membership_id}:{year}Q{quarter}"


def paid_last_valid_day(issue_day: date, valid_days: int, *, per_quarter: bool) -> date:
    """A quarterly coupon ends with its quarter or after valid_days, whichever is first."""
    last = last_valid_day(issue_day, valid_days)
    return min(last, last_day_of_quarter(issue_day)) if per_quarter else last


def template_problem(amount_cents: int, min_spend_cents: int, valid_days: int) -> str | None:
    """Which setting of a template is wrong, if any (the CHECK constraints say the same)."""
    if amount_cents <= 0:
        return "amount"
    if min_spend_cents < 0 or (min_spend_cents and min_spend_cents <= amount_cents):
        return "threshold"
    if not 1 <= valid_days <= 3650:
        return "valid_days"
    return None


def source_problem(source: str, tier_id: int | None, per_quarter: bool) -> str | None:
    """Whether who-receives-it is consistent (the CHECK constraints say the same)."""
    if source not in ("tier", "paid"):
        return "source"
    if source == "paid" and tier_id is not None:
        return "paid_tier"
    if per_quarter and source != "paid":
        return "quarterly"
    return None
