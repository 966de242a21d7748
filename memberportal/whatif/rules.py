"""The preview's calendar: the brand-local days of the window, with what the changed rules
say about each (member day? when do its earnings expire?). Pure: no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from memberportal.points.rules import ExpiryPolicy, expiry_day, is_member_day

WINDOW_DAYS = 90


@dataclass(frozen=True)
class Day:
    day: date
    member_day: bool
    expiry_day: date  # the last local day the day's earnings may be spent


def window_days(first: date, last: date, rules) -> list[Day]:
    """Every local day from `first` to `last` (inclusive) under `rules` (any object with the
    program rules' fields)."""
    policy = ExpiryPolicy(
        policy=rules.expiry_policy, months=rules.expiry_months,
        clearing_month=rules.clearing_month, clearing_day=rules.clearing_day,
        years_after=rules.clearing_years_after,
    )  # fmt: skip
    days, day = [], first
    while day <= last:
        days.append(Day(day, is_member_day(day, rules.member_day), expiry_day(day, policy)))
        day += timedelta(days=1)
    return days


def window(now: datetime) -> tuple[datetime, datetime]:
    """The last WINDOW_DAYS days up to `now` (UTC), and the horizon of "expires soon"."""
    return now - timedelta(days=WINDOW_DAYS), now + timedelta(days=WINDOW_DAYS)
