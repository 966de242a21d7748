"""Tables of cases for the points and tier arithmetic."""

from datetime import date

import pytest

from memberportal.points.rules import (
    ExpiryPolicy,
    add_months,
    best_multiplier,
    expiry_day,
    growth_for_purchase,
    points_for_purchase,
    proportional_share,
)
from memberportal.tiers.rules import (
    TierStep,
    counted_growth,
    interactions_still_allowed,
    reachable_rank,
)


@pytest.mark.parametrize(
    ("cents", "rate", "mult", "points"),
    [
        (10000, 100, 100, 100),  # 100 yuan at 1/yuan
        (9999, 100, 100, 99),  # floored once, at the end
        (12345, 100, 120, 148),  # 123.45 x 1.2 = 148.14
        (12345, 100, 150, 185),  # 185.175
        (12345, 100, 200, 246),  # member day x2 = 246.9
        (99, 100, 200, 1),  # 0.99 x 2 = 1.98
        (99, 100, 100, 0),
        (10000, 50, 100, 50),  # half a point per yuan
        (0, 100, 100, 0),
        (-500, 100, 100, 0),
    ],
)
def test_points_for_purchase(cents, rate, mult, points):
    assert points_for_purchase(cents, rate, mult) == points


def test_best_multiplier_and_growth():
    assert best_multiplier([100, 120, None, 200]) == 200
    assert best_multiplier([]) == 100
    assert growth_for_purchase(12399) == 123


@pytest.mark.parametrize(
    ("total", "part", "whole", "share"),
    [(148, 12345, 12345, 148), (148, 6000, 12345, 71), (148, 0, 12345, 0), (7, 1, 3, 2)],
)
def test_proportional_share(total, part, whole, share):
    assert proportional_share(total, part, whole) == share


@pytest.mark.parametrize(
    ("earned", "policy", "expires"),
    [
        (date(2026, 3, 10), ExpiryPolicy(), date(2027, 3, 31)),
        (date(2026, 3, 31), ExpiryPolicy(), date(2027, 3, 31)),
        (date(2026, 1, 31), ExpiryPolicy(months=1), date(2026, 2, 28)),
        (date(2027, 12, 1), ExpiryPolicy(months=2), date(2028, 2, 29)),
        (date(2026, 3, 10), ExpiryPolicy(policy="yearly"), date(2027, 12, 31)),
        (date(2026, 12, 31), ExpiryPolicy(policy="yearly"), date(2027, 12, 31)),
        (date(2026, 7, 1), ExpiryPolicy("yearly", clearing_month=6, clearing_day=30,
                                        years_after=0), date(2027, 6, 30)),
    ],
)  # fmt: skip
def test_expiry_day(earned, policy, expires):
    assert expiry_day(earned, policy) == expires


def test_add_months_clamps():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 15), -12) == date(2025, 3, 15)


STEPS = [TierStep(1, 0), TierStep(2, 150), TierStep(3, 500), TierStep(4, 1000)]


@pytest.mark.parametrize(
    ("spend", "interaction", "rank"),
    [
        (0, 0, 1),
        (149, 0, 1),
        (150, 0, 2),
        (90, 60, 2),  # 60 = 40% of 150
        (89, 60, 1),
        (0, 1000, 1),  # interactions alone never reach
        (300, 200, 3),  # 200 = 40% of 500
        (299, 400, 3 - 1),  # only 200 of 400 count towards 500
        (600, 400, 4),
    ],
)
def test_reachable_rank_caps_interactions(spend, interaction, rank):
    assert reachable_rank(spend, interaction, STEPS, 40) == rank


def test_counted_growth_and_allowance():
    assert counted_growth(100, 500, 1000, 40) == 500
    assert interactions_still_allowed(150, 500, 40) == 50
    assert interactions_still_allowed(250, 500, 40) == 0
    assert interactions_still_allowed(10, None, 40) == 0
