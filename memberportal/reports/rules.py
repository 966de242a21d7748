"""Report arithmetic: periods, rates, bands, buckets and chart geometry. No database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from memberportal.core.errors import ValidationFailed
from memberportal.points.rules import add_months

BAR_STEP = 5  # the stylesheet has width classes .w-0, .w-5 ... .w-100

# The period picker's choices; "custom" takes two brand-local dates.
PERIOD_KEYS = ("this_month", "last_month", "last_90_days", "this_year", "custom")
MAX_CUSTOM_DAYS = 3 * 366

# Spend bands in fen, lower bounds (the seeds' tier thresholds: 150, 500, 1000 yuan).
SPEND_BANDS = (0, 150_00, 500_00, 1000_00)
# Months after this month that end each expiry bucket: this month, next 3, next 12, later.
EXPIRY_BUCKET_MONTHS = (1, 4, 13)
HEALTHY_REDEMPTION_PERMILLE = 500  # DOMAIN.md: a healthy program redeems above half


@dataclass(frozen=True)
class Period:
    """Brand-local days [start, end): `end` is the day after the last one."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


class BadPeriod(ValidationFailed):
    """A period that cannot be reported: unknown, a custom one with a day missing, ending
    before it starts or after today, or too long."""

    code = "bad_period"
    default_message = _l("Choose a period from the list, with days as YYYY-MM-DD.")


def resolve_period(key: str, today: date, first: date | None = None, last: date | None = None):
    """The period chosen and the one it is compared with, as (current, previous).

    Calendar periods compare with the same span one month or one year earlier (this month to
    date against the same days of last month); day spans with the span just before.
    """
    month = today.replace(day=1)
    if key == "this_month":
        return _shifted_months(Period(month, today + timedelta(days=1)), 1)
    if key == "last_month":
        return _shifted_months(Period(add_months(month, -1), month), 1)
    if key == "this_year":
        return _shifted_months(Period(today.replace(month=1, day=1), today + timedelta(1)), 12)
    if key == "last_90_days":
        return _shifted_days(Period(today - timedelta(days=89), today + timedelta(days=1)))
    if key == "custom":
        if first is None or last is None:
            raise BadPeriod(_l("Choose both days of a custom period."))
        if last < first:
            raise BadPeriod(_l("The period's last day comes before its first."))
        if last > today:
            raise BadPeriod(_l("The period cannot end after today."))
        if (last - first).days + 1 > MAX_CUSTOM_DAYS:
            raise BadPeriod(
                _l("A custom period can be at most %(n)s days long.", n=MAX_CUSTOM_DAYS)
            )
        return _shifted_days(Period(first, last + timedelta(days=1)))
    raise BadPeriod()


def _shifted_months(period: Period, months: int) -> tuple[Period, Period]:
    return period, Period(add_months(period.start, -months), add_months(period.end, -months))


def _shifted_days(period: Period) -> tuple[Period, Period]:
    span = timedelta(days=period.days)
    return period, Period(period.start - span, period.start)


def month_starts(last_month: date, count: int) -> list[date]:
    """The first days of `count` months ending with `last_month`'s, oldest first, plus the
    first day of the month after (so n months have n + 1 bounds)."""
    first = last_month.replace(day=1)
    return [add_months(first, back) for back in range(1 - count, 2)]


def expiry_bucket_starts(today: date) -> list[date]:
    """Where the buckets 'next 3 months', 'next 12 months' and 'later' start."""
    month = today.replace(day=1)
    return [add_months(month, n) for n in EXPIRY_BUCKET_MONTHS]


def permille(part: int, whole: int) -> int | None:
    """part / whole in tenths of a percent, floored (None when there is no whole)."""
    if whole <= 0:
        return None
    return max(part, 0) * 1000 // whole


def signed_permille(part: int, whole: int) -> int | None:
    """Like permille, but a fall stays negative (growth rates, changes); floored."""
    if whole <= 0:
        return None
    return part * 1000 // whole


def format_permille(value: int | None) -> str:
    """475 -> "47.5%"; -12 -> "-1.2%"; None -> "-"."""
    if value is None:
        return "-"
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 10}.{value % 10}%"


def per_ten(part: int, whole: int) -> str:
    """part / whole with one decimal, floored ("1.7"); "-" when there is no whole."""
    if whole <= 0:
        return "-"
    tenths = part * 10 // whole
    return f"{tenths // 10}.{tenths % 10}"


def average(total: int, count: int) -> int | None:
    """total / count floored (an average order value in fen); None without a count."""
    return total // count if count > 0 else None


def value_of_points(points: int, value_cents: int, for_points: int) -> int | None:
    """What `points` are worth at `value_cents` per `for_points`, in fen, floored once."""
    if for_points <= 0:
        return None
    return points * value_cents // for_points


def yuan_per_point(value_cents: int, for_points: int) -> str:
    """A yuan value per point with two or three decimals, floored ("0.02", "0.125"); "-"."""
    if for_points <= 0:
        return "-"
    thousandths = value_cents * 10 // for_points
    text = f"{thousandths // 1000}.{thousandths % 1000:03d}"
    return text[:-1] if text.endswith("0") else text


def spend_band(cents: int) -> int:
    """The index of the spend band `cents` falls in."""
    return max(i for i, low in enumerate(SPEND_BANDS) if cents >= low) if cents > 0 else 0


def bar_width(value: int, maximum: int) -> int:
    """The width class (0-100, in steps of 5) of a bar for `value` out of `maximum`.

    Any value above zero shows at least one step, so a small but real figure is visible.
    """
    if maximum <= 0 or value <= 0:
        return 0
    steps = 100 // BAR_STEP
    width = (value * steps + maximum // 2) // maximum * BAR_STEP
    return min(max(width, BAR_STEP), 100)


def nice_ceiling(value: int) -> int:
    """The axis top for a chart whose largest value is `value`: 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10
