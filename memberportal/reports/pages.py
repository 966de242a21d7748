"""Which page shows which tables, in order, and the builder behind each table's CSV."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from memberportal.reports.member_tables import (
    cohorts_retention,
    members_by_month,
    members_summary,
    members_tier_moves,
    members_tiers,
)
from memberportal.reports.point_tables import points_flows, points_liability, points_monthly
from memberportal.reports.sales_tables import (
    mall_coupons,
    mall_items,
    paid_summary,
    sales_bands,
    sales_summary,
)
from memberportal.reports.tables import Context, Table

Builder = Callable[[Context], Table]
PAGES: dict[str, tuple[Builder, ...]] = {
    "members": (members_summary, members_by_month, members_tiers, members_tier_moves),
    "cohorts": (cohorts_retention,),
    "points": (points_flows, points_monthly),
    "liability": (points_liability,),
    "sales": (sales_summary, sales_bands),
    "paid": (paid_summary,),
    "mall": (mall_items, mall_coupons),
}
TABLE_KEYS = {
    "members": ("summary", "by_month", "tiers", "tier_moves"),
    "cohorts": ("retention",),
    "points": ("flows", "monthly"),
    "liability": ("liability",),
    "sales": ("summary", "bands"),
    "paid": ("summary",),
    "mall": ("items", "coupons"),
}


def page_title(page: str) -> str:
    return {
        "members": _("Members"),
        "cohorts": _("Retention"),
        "points": _("Points"),
        "liability": _("Points liability"),
        "sales": _("Purchases"),
        "paid": _("Paid card"),
        "mall": _("Mall and coupons"),
    }[page]


def builder(page: str, key: str) -> Builder | None:
    """The builder of one table of a page, or None."""
    keys = TABLE_KEYS.get(page, ())
    return PAGES[page][keys.index(key)] if key in keys else None
