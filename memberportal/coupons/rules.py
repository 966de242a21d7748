"""Pure coupon rules: codes, expiry days, paid-card, birthday and member-day reasons and
periods, template checks."""

from __future__ import annotations

import calendar
import re
import secrets
from datetime import date, timedelta

# No 0/O, 1/I/L: a cashier types what the member shows without guessing.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
TIER_REASON = "tier"
PAID_REASON_PREFIX = "paid:"
BIRTHDAY_REASON_PREFIX = "birthday:"
MEMBER_DAY_REASON_PREFIX = "memberday:"
MALL_REASON_PREFIX = "mall:"
# Who receives a template's coupons (the CHECK constraint on coupon_templates lists the same).
# "mall" templates are issued only by redeeming a points-mall item, never lazily.
SOURCES = ("tier", "paid", "birthday", "member_day", "mall")
MAX_VALID_DAYS = 3650
# A birthday coupon never outlives its month, so more days than a month has would only mislead.
MAX_BIRTHDAY_VALID_DAYS = 31


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


def last_day_of_month(day: date) -> date:
    """28/29 February, 30 April, 31 December...: the last day of the day's month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def is_birthday_month(today: date, birthday: date | None) -> bool:
    """Whether the brand-local `today` falls in the month of `birthday` (29 February: February)."""
    return birthday is not None and birthday.month == today.month


def birthday_reason(today: date) -> str:
    """Once per calendar year, whatever the birthday is changed to: 'birthday:2027'."""
    return f"{BIRTHDAY_REASON_PREFIX}{today.year}"


def birthday_last_valid_day(issue_day: date, valid_days: int) -> date:
    """A birthday coupon ends with the birthday month or after valid_days counting the day of
    issue, whichever is first: issued 20 March for 31 days -> 31 March."""
    return min(last_valid_day(issue_day, valid_days), last_day_of_month(issue_day))


def member_day_reason(today: date, *, weekly: bool = False) -> str:
    """Once per brand-local month: 'memberday:2027-11'; a weekly member day once per day:
    'memberday:2027-11-14'."""
    month = f"{MEMBER_DAY_REASON_PREFIX}{today.year:04d}-{today.month:02d}"
    return f"{month}-{today.day:02d}" if weekly else month


def mall_reason(order_id: int) -> str:
    """One coupon per points-mall order, however often its redemption is retried: 'mall:42'."""
    return f"{MALL_REASON_PREFIX}{order_id}"


def mall_order_id(reason_key: str) -> int | None:
    """The order id of a 'mall:<order id>' reason (None for any other reason)."""
    if reason_key.startswith(MALL_REASON_PREFIX):
        rest = reason_key[len(MALL_REASON_PREFIX) :]
        return int(rest) if rest.isdigit() else None
    return None


def reason_kind(reason_key: str) -> str:
    """'tier', 'paid', 'birthday', 'member_day' or 'mall': why a coupon was issued."""
    for prefix, kind in (
        (PAID_REASON_PREFIX, "paid"),
        (BIRTHDAY_REASON_PREFIX, "birthday"),
        (MEMBER_DAY_REASON_PREFIX, "member_day"),
        (MALL_REASON_PREFIX, "mall"),
    ):
        if reason_key.startswith(prefix):
            return kind
    return "tier"


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
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        return "valid_days"
    return None


def source_problem(
    source: str, tier_id: int | None, per_quarter: bool, valid_days: int = 1
) -> str | None:
    """Whether who-receives-it is consistent with the other settings (the CHECK constraints
    say the same). The tier is the tier reached for tier coupons and the minimum tier for
    birthday and member-day coupons; a paid-card coupon has none."""
    if source not in SOURCES:
        return "source"
    if source == "paid" and tier_id is not None:
        return "paid_tier"
    if source == "mall" and tier_id is not None:
        return "mall_tier"
    if per_quarter and source != "paid":
        return "quarterly"
    if source == "member_day" and valid_days != 1:
        return "member_day_days"
    if source == "birthday" and valid_days > MAX_BIRTHDAY_VALID_DAYS:
        return "birthday_days"
    return None
