"""Risk thresholds as pure arithmetic: each rule at its edge."""

from datetime import UTC, date, datetime

import pytest

from memberportal.risk import rules


@pytest.mark.parametrize(
    ("amount", "threshold", "flagged"),
    [(500_000, 500_000, False), (500_001, 500_000, True), (100, 500_000, False)],
)
def test_a_purchase_is_big_only_above_the_threshold(amount, threshold, flagged):
    assert rules.is_big_purchase(amount, threshold) is flagged


@pytest.mark.parametrize(
    ("refunded", "bought", "limit", "flagged"),
    [
        (5000, 10000, 50, False),  # exactly 50%: not above
        (5001, 10000, 50, True),  # 50.01%: above, though it floors to 50
        (0, 0, 50, False),  # no refund, nothing bought
        (0, 10000, 1, False),  # at least one refund is needed
        (10000, 10000, 99, True),
    ],
)
def test_refunds_too_high_compares_in_integers(refunded, bought, limit, flagged):
    assert rules.refunds_too_high(refunded, bought, limit) is flagged


def test_refund_rate_floors_once_and_survives_nothing_bought():
    assert rules.refund_rate_pct(5001, 10000) == 50
    assert rules.refund_rate_pct(2, 3) == 66
    assert rules.refund_rate_pct(5, 0) == 0


def test_busy_days_count_whole_days_but_only_report_touched_ones():
    def day_of(at):
        return at.date()

    t = [datetime(2026, 3, 10, h, tzinfo=UTC) for h in range(10)]
    rows = [(1, at) for at in t[:9]] + [(2, at) for at in t[:9]]
    tenth = date(2026, 3, 10)
    found = rules.busy_days(rows, {(1, tenth), (2, tenth)}, 8, day_of)
    assert found == {(1, tenth): 9, (2, tenth): 9}
    assert rules.busy_days(rows, {(1, tenth)}, 8, day_of) == {(1, tenth): 9}
    assert rules.busy_days(rows, {(1, tenth)}, 9, day_of) == {}  # nine is not more than nine
    assert rules.busy_days(rows, {(1, date(2026, 3, 11))}, 0, day_of) == {}
