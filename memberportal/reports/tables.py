"""A report table: its numbers (shown on the page and exported as CSV), the chart drawn from
them, and the period it is built for. The builders are in member_tables, point_tables and
sales_tables; pages.py says which page shows which."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _

from memberportal.core.money import format_cents
from memberportal.core.templating import points as format_points
from memberportal.reports import charts
from memberportal.reports.queries import Window
from memberportal.reports.rules import (
    Period,
    format_permille,
    month_starts,
    signed_permille,
)

# A cell is (kind, value): "text", "count", "money" (fen), "rate" (permille), "ratio" (text).
Cell = tuple[str, object]
MONTHS = 12


@dataclass(frozen=True)
class Context:
    period: Period
    previous: Period
    now: datetime
    # Figures two tables of a page share, computed once per request.
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def once(self, key: str, compute: Callable):
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    @property
    def cur(self) -> Window:
        return Window.of(self.period)

    @property
    def prev(self) -> Window:
        return Window.of(self.previous)

    def months(self) -> list[date]:
        """The 12 brand-local months ending with the period's last (n + 1 month starts)."""
        return month_starts(self.period.last_day, MONTHS)


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    chart: charts.Chart | None = None
    note: str | None = None
    heat: bool = False  # cells shaded by rate (the retention triangle)


def show(cell: Cell) -> str:
    """A cell as the page prints it."""
    kind, value = cell
    if value is None:
        return "-"
    if kind == "count":
        return format_points(value)
    if kind == "money":
        return format_cents(value)
    if kind == "rate":
        return format_permille(value)
    return str(value)


def csv_value(cell: Cell) -> str:
    """A cell as the CSV holds it: plain numbers, yuan with two decimals, rates as '30.3%'."""
    kind, value = cell
    if value is None:
        return ""
    if kind == "money":
        sign = "-" if value < 0 else ""
        return f"{sign}{abs(value) // 100}.{abs(value) % 100:02d}"
    if kind == "rate":
        return format_permille(value)
    return str(value)


def compared(label: str, kind: str, now: int | None, before: int | None) -> list[Cell]:
    """A figure beside the previous period's, and the change (for amounts, not for rates)."""
    change = None
    if kind in ("count", "money") and now is not None and before is not None:
        change = signed_permille(now - before, before)
    return [("text", label), (kind, now), (kind, before), ("rate", change)]


def compared_columns() -> list[str]:
    return [_("Figure"), _("This period"), _("Previous period"), _("Change")]


def month_label(d: date) -> str:
    return d.strftime("%Y-%m")
