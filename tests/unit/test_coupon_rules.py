"""Pure coupon rules: codes, expiry days, template settings."""

from datetime import date

import pytest

from memberportal.coupons import rules


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
