"""Report arithmetic: periods, rates, bands, buckets and chart geometry."""

from datetime import date

import pytest
from flask_babel import force_locale

from memberportal.reports.charts import HEIGHT, TOP, bar_chart
from memberportal.reports.rules import (
    BadPeriod,
    Period,
    average,
    bar_width,
    expiry_bucket_starts,
    format_permille,
    month_starts,
    nice_ceiling,
    per_ten,
    permille,
    resolve_period,
    signed_permille,
    spend_band,
    value_of_points,
    yuan_per_point,
)

D = date


def test_rates_tables():
    cases = [((0, 0), None), ((1, 3), 333), ((120, 395), 303), ((5, 5), 1000)]
    for (part, whole), expected in cases:
        assert permille(part, whole) == expected
    assert [format_permille(v) for v in (None, 0, 303, 1000, -12)] == [
        "-", "0.0%", "30.3%", "100.0%", "-1.2%",
    ]  # fmt: skip
    assert [signed_permille(-1, 3), signed_permille(2, 1), signed_permille(1, 0)] == [
        -334,
        2000,
        None,
    ]
    assert [per_ten(4, 3), per_ten(17, 10), per_ten(1, 0)] == ["1.3", "1.7", "-"]
    assert [average(23000, 2), average(5, 0)] == [11500, None]
    assert [value_of_points(375, 1000, 500), value_of_points(1, 1000, 0)] == [750, None]
    assert [yuan_per_point(1000, 500), yuan_per_point(5000, 400), yuan_per_point(1, 0)] == [
        "0.02", "0.125", "-",
    ]  # fmt: skip
    widths = [((0, 10), 0), ((1, 100), 5), ((10, 10), 100), ((5, 10), 50), ((3, 0), 0)]
    for (value, maximum), expected in widths:
        assert bar_width(value, maximum) == expected


def test_spend_bands_and_axis_tops():
    cents = [(0, 0), (14999, 0), (15000, 1), (49999, 1), (50000, 2), (99999, 2), (100000, 3)]
    assert [spend_band(c) for c, _ in cents] == [band for _, band in cents]
    assert [nice_ceiling(v) for v in (0, 1, 3, 7, 10, 11, 480, 500, 501)] == [
        1, 1, 5, 10, 10, 20, 500, 500, 1000,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("key", "today", "current", "previous"),
    [
        (
            "this_month",
            D(2026, 6, 15),
            (D(2026, 6, 1), D(2026, 6, 16)),
            (D(2026, 5, 1), D(2026, 5, 16)),
        ),
        (
            "this_month",
            D(2026, 3, 31),
            (D(2026, 3, 1), D(2026, 4, 1)),
            (D(2026, 2, 1), D(2026, 3, 1)),
        ),
        (
            "last_month",
            D(2026, 1, 10),
            (D(2025, 12, 1), D(2026, 1, 1)),
            (D(2025, 11, 1), D(2025, 12, 1)),
        ),
        (
            "this_year",
            D(2026, 6, 15),
            (D(2026, 1, 1), D(2026, 6, 16)),
            (D(2025, 1, 1), D(2025, 6, 16)),
        ),
        (
            "last_90_days",
            D(2026, 6, 15),
            (D(2026, 3, 18), D(2026, 6, 16)),
            (D(2025, 12, 18), D(2026, 3, 18)),
        ),
    ],
)
def test_periods_and_what_they_are_compared_with(key, today, current, previous):
    assert resolve_period(key, today) == (Period(*current), Period(*previous))


def test_custom_periods():
    now, before = resolve_period("custom", D(2026, 6, 15), D(2026, 6, 1), D(2026, 6, 10))
    assert (now, before) == (
        Period(D(2026, 6, 1), D(2026, 6, 11)),
        Period(D(2026, 5, 22), D(2026, 6, 1)),
    )
    assert now.days == 10 and now.last_day == D(2026, 6, 10)
    bad = [
        (D(2026, 6, 10), D(2026, 6, 1), "comes before its first"),
        (D(2026, 6, 1), D(2026, 6, 16), "cannot end after today"),
        (D(2020, 1, 1), D(2026, 6, 1), "at most 1098 days"),
        (None, D(2026, 6, 1), "both days"),
    ]
    for first, last, reason in bad:
        with force_locale("en"), pytest.raises(BadPeriod, match=reason):
            resolve_period("custom", D(2026, 6, 15), first, last)
    with pytest.raises(BadPeriod):
        resolve_period("forever", D(2026, 6, 15))


def test_months_and_expiry_buckets():
    firsts = month_starts(D(2026, 2, 28), 3)
    assert firsts == [D(2025, 12, 1), D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]
    assert expiry_bucket_starts(D(2026, 12, 31)) == [D(2027, 1, 1), D(2027, 4, 1), D(2028, 1, 1)]


def test_bar_chart_scales_to_a_round_top_and_draws_the_reference_line():
    chart = bar_chart(
        "rate", "Redemption rate", "desc", ["2026-05", "2026-06"],
        [("rate", [250, None])], fmt=format_permille, reference=(500, "Healthy: 50%"),
    )  # fmt: skip
    base = chart.base
    [bar] = chart.bars  # no bar for a month without a rate
    assert bar.height * 2 == base - TOP and bar.y == base - bar.height  # 250 of a 500 top
    assert chart.line.y == TOP and chart.line.text == "Healthy: 50%"
    assert [t.text for t in chart.ticks] == ["0.0%", "12.5%", "25.0%", "37.5%", "50.0%"]
    assert bar.title == "2026-05, rate: 25.0%" and base == HEIGHT - 36
    assert (chart.title, chart.description) == ("Redemption rate", "desc")
    two = bar_chart("t", "t", "d", ["a"], [("now", [10]), ("before", [5])])
    assert [b.series for b in two.bars] == [0, 1] and two.bars[0].x < two.bars[1].x
    assert two.bars[0].height == 2 * two.bars[1].height


def test_a_year_of_months_labels_every_other_month_ending_with_the_last():
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    chart = bar_chart("m", "t", "d", months, [("n", list(range(12)))])
    assert [label.text for label in chart.labels] == months[1::2]
    assert len(chart.bars) == 12
