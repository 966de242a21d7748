"""Pure coupon rules: codes, expiry days, template settings."""

from datetime import UTC, date, datetime, timedelta

import pytest

from memberportal.coupons import rules
from memberportal.coupons.models import Coupon


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("abcde 23456", "ABCDE23456"),
        (" ABCDE-23456\n", "ABCDE23456"),
        ("", ""),
        (None, ""),
        ("%%", ""),
    ],
)
def test_normalise_code(typed, code):
    assert rules.normalise_code(typed) == code


def test_new_codes_use_the_unambiguous_alphabet_and_show_in_two_groups():
    code = rules.new_code()
    assert len(code) == 10 and set(code) <= set(rules.CODE_ALPHABET)
    assert not set("01IOL") & set(rules.CODE_ALPHABET)
    assert rules.display_code("ABCDE23456") == "ABCDE 23456"


@pytest.mark.parametrize(
    ("issued", "days", "last"),
    [
        (date(2027, 3, 1), 1, date(2027, 3, 1)),
        (date(2027, 3, 1), 30, date(2027, 3, 30)),
        (date(2027, 12, 31), 2, date(2028, 1, 1)),
        (date(2028, 2, 28), 2, date(2028, 2, 29)),
    ],
)
def test_last_valid_day_counts_the_day_of_issue(issued, days, last):
    assert rules.last_valid_day(issued, days) == last


@pytest.mark.parametrize(
    ("amount", "threshold", "days", "problem"),
    [
        (800, 7900, 30, None),
        (2500, 0, 30, None),
        (0, 0, 30, "amount"),
        (-100, 0, 30, "amount"),
        (800, 800, 30, "threshold"),
        (800, 500, 30, "threshold"),
        (800, -1, 30, "threshold"),
        (800, 0, 0, "valid_days"),
        (800, 0, 3651, "valid_days"),
        (800, 0, 3650, None),
    ],
)
def test_template_problem(amount, threshold, days, problem):
    assert rules.template_problem(amount, threshold, days) == problem


@pytest.mark.parametrize(
    ("day", "last"),
    [
        (date(2027, 2, 1), date(2027, 2, 28)),
        (date(2028, 2, 10), date(2028, 2, 29)),
        (date(2027, 4, 30), date(2027, 4, 30)),
        (date(2027, 12, 5), date(2027, 12, 31)),
    ],
)
def test_last_day_of_month(day, last):
    assert rules.last_day_of_month(day) == last


@pytest.mark.parametrize(
    ("today", "birthday", "in_month"),
    [
        (date(2027, 3, 1), date(1990, 3, 1), True),
        (date(2027, 3, 31), date(1990, 3, 1), True),
        (date(2027, 2, 28), date(1990, 3, 1), False),
        (date(2027, 4, 1), date(1990, 3, 31), False),
        (date(2027, 2, 1), date(2000, 2, 29), True),  # 29 February: February, leap year or not
        (date(2027, 3, 1), date(2000, 2, 29), False),
        (date(2027, 3, 1), None, False),
    ],
)
def test_is_birthday_month(today, birthday, in_month):
    assert rules.is_birthday_month(today, birthday) is in_month


@pytest.mark.parametrize(
    ("issued", "days", "last"),
    [
        (date(2027, 3, 1), 31, date(2027, 3, 31)),  # the whole month
        (date(2027, 3, 20), 31, date(2027, 3, 31)),  # the month ends first
        (date(2027, 3, 20), 7, date(2027, 3, 26)),  # the valid days end first
        (date(2027, 3, 25), 7, date(2027, 3, 31)),  # exactly together
        (date(2027, 2, 28), 31, date(2027, 2, 28)),  # the last day: valid that day only
        (date(2028, 2, 1), 31, date(2028, 2, 29)),
    ],
)
def test_a_birthday_coupon_ends_with_the_month_or_its_valid_days(issued, days, last):
    assert rules.birthday_last_valid_day(issued, days) == last


def test_reasons_are_per_year_and_per_month_and_say_why():
    assert rules.birthday_reason(date(2027, 12, 31)) == "birthday:2027"
    assert rules.birthday_reason(date(2028, 1, 1)) == "birthday:2028"
    assert rules.member_day_reason(date(2027, 11, 18)) == "memberday:2027-11"
    assert rules.member_day_reason(date(2028, 1, 18)) == "memberday:2028-01"
    kinds = ["tier", "paid:7:2027Q2", "birthday:2027", "memberday:2027-11"]
    assert [rules.reason_kind(k) for k in kinds] == ["tier", "paid", "birthday", "member_day"]


@pytest.mark.parametrize(
    ("source", "tier_id", "quarterly", "days", "problem"),
    [
        ("tier", 1, False, 30, None),
        ("tier", None, False, 30, None),
        ("paid", None, True, 92, None),
        ("paid", 1, False, 30, "paid_tier"),
        ("tier", 1, True, 30, "quarterly"),
        ("birthday", None, False, 31, None),
        ("birthday", 2, False, 7, None),
        ("birthday", 2, False, 32, "birthday_days"),
        ("birthday", None, True, 31, "quarterly"),
        ("member_day", None, False, 1, None),
        ("member_day", 3, False, 1, None),
        ("member_day", None, False, 2, "member_day_days"),
        ("member_day", None, True, 1, "quarterly"),
        ("gift", None, False, 1, "source"),
    ],
)
def test_who_receives_it_must_fit_the_other_settings(source, tier_id, quarterly, days, problem):
    assert rules.source_problem(source, tier_id, quarterly, days) == problem


@pytest.mark.parametrize(
    ("state", "expires_in", "order", "status", "refusal"),
    [
        ("issued", 1, 7900, "issued", None),
        ("issued", 1, None, "issued", None),
        ("issued", 1, 7899, "issued", "min_spend"),
        ("issued", 0, 9000, "expired", "expired"),  # the last valid moment has passed
        ("issued", -5, None, "expired", "expired"),
        ("used", 1, 9000, "used", "used"),
        ("used", -5, 100, "used", "used"),  # used first: that is what a till is told
    ],
)
def test_a_coupons_status_and_why_a_write_off_would_be_refused(
    state, expires_in, order, status, refusal
):
    now = datetime(2026, 11, 17, 4, 0, tzinfo=UTC)
    coupon = Coupon(state=state, min_spend_cents=7900, expires_at=now + timedelta(expires_in))
    assert coupon.status_at(now) == status
    assert coupon.refusal(now, order) == refusal
