"""Money is an integer count of fen (cents); one parser in, one formatter out."""

from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import format_currency
from flask_babel import lazy_gettext as _l

from memberportal.core import brand
from memberportal.core.errors import ValidationFailed

_AMOUNT = re.compile(r"^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$")
# The most one amount may be: ten million yuan. Far above any real purchase, and it keeps
# amounts, and the points and growth they earn, inside PostgreSQL's 32-bit integer columns.
MAX_CENTS = 10**9


class InvalidAmount(ValidationFailed):
    code = "invalid_amount"
    default_message = _l("Enter an amount in yuan with at most two decimals, e.g. 12.50.")


class AmountTooLarge(InvalidAmount):
    default_message = _l("The amount can be at most 10,000,000 yuan.")


def check_cents(cents: int) -> int:
    """The amount, if it is no more than MAX_CENTS (else AmountTooLarge)."""
    if cents > MAX_CENTS:
        raise AmountTooLarge()
    return cents


def parse_cents(text: str | None, *, allow_zero: bool = False) -> int:
    """'12.5' -> 1250. Rejects negatives, a third decimal, and anything that is not a number."""
    match = _AMOUNT.match(text or "")
    if not match:
        raise InvalidAmount()
    whole, frac = match.groups()
    cents = int(whole) * 100 + int((frac or "").ljust(2, "0"))
    if cents == 0 and not allow_zero:
        raise InvalidAmount(_l("The amount must be more than zero."))
    return check_cents(cents)


def format_cents(cents: int | None) -> str:
    """1250 -> '¥12.50', formatted for the current locale."""
    if cents is None:
        return ""
    style = "name" if brand.current()["currency_display"] == "name" else "standard"
    return format_currency(Decimal(cents) / 100, "CNY", format_type=style)
