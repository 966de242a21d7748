"""Pure risk arithmetic: when a figure crosses the owner's threshold (no database)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime


def required_text(value: str | None, error: type, max_length: int) -> str:
    """A note or reason, stripped: raises `error` when it is empty or longer than allowed."""
    value = (value or "").strip()
    if not value or len(value) > max_length:
        raise error()
    return value


def is_big_purchase(amount_cents: int, threshold_cents: int) -> bool:
    """A single purchase strictly above the threshold."""
    return amount_cents > threshold_cents


def busy_days(
    purchases: Iterable[tuple[int, datetime]],
    touched: set[tuple[int, date]],
    limit: int,
    day_of: Callable[[datetime], date],
) -> dict[tuple[int, date], int]:
    """(member, brand-local day) -> purchases that day, for the `touched` days (with a new
    purchase since the last scan) that hold more than `limit` purchases."""
    counts: Counter[tuple[int, date]] = Counter()
    for member_id, at in purchases:
        key = (member_id, day_of(at))
        if key in touched:
            counts[key] += 1
    return {key: n for key, n in counts.items() if n > limit}


def refund_rate_pct(refunded_cents: int, purchased_cents: int) -> int:
    """The refunded share in whole percent, floored once (0 when nothing was purchased)."""
    return refunded_cents * 100 // purchased_cents if purchased_cents > 0 else 0


def refunds_too_high(refunded_cents: int, purchased_cents: int, limit_pct: int) -> bool:
    """At least one refund, and refunds strictly above `limit_pct`% of the amount purchased
    (compared in integers, so 50.01% is above 50% though both floor to 50)."""
    return refunded_cents > 0 and refunded_cents * 100 > limit_pct * purchased_cents
