"""Report arithmetic: rates and bar widths. No database."""

from __future__ import annotations

BAR_STEP = 5  # the stylesheet has width classes .w-0, .w-5 ... .w-100


def permille(part: int, whole: int) -> int | None:
    """part / whole in tenths of a percent, floored (None when there is no whole)."""
    if whole <= 0:
        return None
    return max(part, 0) * 1000 // whole


def format_permille(value: int | None) -> str:
    """475 -> "47.5%"; None -> "-"."""
    if value is None:
        return "-"
    return f"{value // 10}.{value % 10}%"


def bar_width(value: int, maximum: int) -> int:
    """The width class (0-100, in steps of 5) of a bar for `value` out of `maximum`.

    Any value above zero shows at least one step, so a small but real figure is visible.
    """
    if maximum <= 0 or value <= 0:
        return 0
    steps = 100 // BAR_STEP
    width = (value * steps + maximum // 2) // maximum * BAR_STEP
    return min(max(width, BAR_STEP), 100)
