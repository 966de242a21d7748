"""Pure coupon rules: codes, expiry days, what a coupon is called on the page."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

# No 0/O, 1/I/L: a cashier types what the member shows without guessing.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
TIER_REASON = "tier"


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


def template_problem(amount_cents: int, min_spend_cents: int, valid_days: int) -> str | None:
    """Which setting of a template is wrong, if any (the CHECK constraints say the same)."""
    if amount_cents <= 0:
        return "amount"
    if min_spend_cents < 0 or (min_spend_cents and min_spend_cents <= amount_cents):
        return "threshold"
    if not 1 <= valid_days <= 3650:
        return "valid_days"
    return None
