"""Points arithmetic: integers only, floored once at the end. No database, no clock."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

ROLLING = "rolling"
YEARLY = "yearly"


def points_for_purchase(amount_cents: int, rate_pct: int, multiplier_pct: int) -> int:
    """floor(yuan x rate x multiplier), computed from cents: rate and multiplier are in %.

    1 yuan = 100 cents, so cents * rate_pct * multiplier_pct / (100 * 100 * 100).
    """
    if amount_cents <= 0:
        return 0
    return amount_cents * rate_pct * multiplier_pct // 1_000_000


def best_multiplier(candidates: Iterable[int | None]) -> int:
    """The best multiplier that applies (they do not stack); never below 100%."""
    return max([100, *(c for c in candidates if c)])


def growth_for_purchase(amount_cents: int) -> int:
    """Growth is the spend in whole yuan, not multiplied."""
    return max(amount_cents, 0) // 100


def proportional_share(total: int, part_cents: int, whole_cents: int) -> int:
    """floor(total x part / whole): what a refund of `part` out of `whole` takes back.

    Called on cumulative refunds, so successive partial refunds add up to exactly `total`.
    """
    if whole_cents <= 0:
        return 0
    return total * min(part_cents, whole_cents) // whole_cents


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


@dataclass(frozen=True)
class ExpiryPolicy:
    policy: str = ROLLING
    months: int = 12
    clearing_month: int = 12
    clearing_day: int = 31
    years_after: int = 1


def expiry_day(earned_on: date, policy: ExpiryPolicy) -> date:
    """The last local day on which points earned on `earned_on` may be spent.

    rolling: the end of the month `months` after the month of earning (earned any day in
    March 2026 with 12 months -> 2027-03-31), so a member sees one expiry date per month.
    yearly: the clearing date of the year `years_after` after earning (12-31 of next year).
    """
    if policy.policy == ROLLING:
        return month_end(add_months(earned_on.replace(day=1), policy.months))
    year = earned_on.year + policy.years_after
    last = calendar.monthrange(year, policy.clearing_month)[1]
    clearing = date(year, policy.clearing_month, min(policy.clearing_day, last))
    if clearing < earned_on:  # a clearing date earlier in the same year has passed
        return date(year + 1, clearing.month, min(policy.clearing_day, last))
    return clearing


def is_member_day(local_day: date, member_day: int | None, weekday: int | None = None) -> bool:
    """Monthly (`member_day` is a day of the month) or weekly (`weekday`, 1 = Monday)."""
    if weekday is not None:
        return local_day.isoweekday() == weekday
    return member_day is not None and local_day.day == member_day


def is_birthday_month(local_day: date, birthday: date | None) -> bool:
    """Whether `local_day` falls in the month of `birthday` (29 February: February)."""
    return birthday is not None and local_day.month == birthday.month


# Points expiring within this many days are "expiring soon" on the member's points page.
EXPIRY_WARNING_DAYS = 30


def split_expiries(expiries: list, now: datetime, days: int = EXPIRY_WARNING_DAYS):
    """[(expires_at, points)] -> (within the warning window, later)."""
    cut = now + timedelta(days=days)
    return [e for e in expiries if e[0] <= cut], [e for e in expiries if e[0] > cut]
