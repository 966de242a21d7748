"""Report arithmetic: rates and bar widths."""

from memberportal.reports.rules import bar_width, format_permille, permille


def test_rules_tables():
    cases = [((0, 0), None), ((1, 3), 333), ((120, 395), 303), ((5, 5), 1000)]
    for (part, whole), expected in cases:
        assert permille(part, whole) == expected
    assert [format_permille(v) for v in (None, 0, 303, 1000)] == ["-", "0.0%", "30.3%", "100.0%"]
    widths = [((0, 10), 0), ((1, 100), 5), ((10, 10), 100), ((5, 10), 50), ((3, 0), 0)]
    for (value, maximum), expected in widths:
        assert bar_width(value, maximum) == expected
