"""Purchases (orders, revenue, frequency, repurchase, spend bands), the paid card and the
points mall."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _

from memberportal.core.templating import points as format_points
from memberportal.reports import charts, mall_queries, sales_queries
from memberportal.reports.queries import Window
from memberportal.reports.rules import (
    SPEND_BANDS,
    Period,
    average,
    format_permille,
    per_ten,
    permille,
)
from memberportal.reports.tables import (
    Context,
    Table,
    compared,
    compared_columns,
)


def sales_summary(ctx: Context) -> Table:
    years = [Window.of(_year_to(p.end)) for p in (ctx.period, ctx.previous)]
    cur, prev, *year = sales_queries.sales(ctx.cur, ctx.prev, *years)
    rows = [
        compared(_("Orders"), "count", cur.orders, prev.orders),
        compared(_("Revenue"), "money", cur.revenue_cents, prev.revenue_cents),
        compared(_("Buying members"), "count", cur.buyers, prev.buyers),
        compared(
            _("Average order value"),
            "money",
            average(cur.revenue_cents, cur.orders),
            average(prev.revenue_cents, prev.orders),
        ),
        compared(
            _("Repurchase rate (buyers with two orders or more)"),
            "rate",
            permille(cur.repeat_buyers, cur.buyers),
            permille(prev.repeat_buyers, prev.buyers),
        ),
        [
            ("text", _("Purchases per buying member per year (12 months to the period's end)")),
            ("ratio", per_ten(year[0].orders, year[0].buyers)),
            ("ratio", per_ten(year[1].orders, year[1].buyers)),
            ("rate", None),
        ],
    ]
    return Table("summary", _("Purchases"), compared_columns(), rows)


def _year_to(end: date) -> Period:
    return Period(end - timedelta(days=365), end)


def band_label(i: int) -> str:
    low = SPEND_BANDS[i] // 100
    if i + 1 < len(SPEND_BANDS):
        return f"{low}-{SPEND_BANDS[i + 1] // 100 - 1}"
    return f"{low}+"


def sales_bands(ctx: Context) -> Table:
    bands = sales_queries.spend_bands(ctx.cur)
    members = sum(b.members for b in bands)
    revenue = sum(b.revenue_cents for b in bands)
    labels = [band_label(i) for i in range(len(bands))]
    shares = [(permille(b.members, members), permille(b.revenue_cents, revenue)) for b in bands]
    rows = [
        [
            ("text", label),
            ("count", b.members),
            ("rate", sm),
            ("money", b.revenue_cents),
            ("rate", sr),
        ]
        for label, b, (sm, sr) in zip(labels, bands, shares, strict=True)
    ]
    chart = charts.bar_chart(
        "spend-bands",
        _("Spend bands"),
        _("Share of members and share of revenue in each band of spend in the period (yuan)."),
        labels,
        [
            (_("Share of members"), [s[0] for s in shares]),
            (_("Share of revenue"), [s[1] for s in shares]),
        ],
        fmt=format_permille,
    )
    columns = [
        _("Spend (yuan)"),
        _("Members"),
        _("Share of members"),
        _("Revenue"),
        _("Share of revenue"),
    ]
    return Table("bands", _("Spend bands"), columns, rows, chart)


# ---- paid card ----


def paid_summary(ctx: Context) -> Table:
    cur, prev = sales_queries.paid(ctx.cur), sales_queries.paid(ctx.prev)
    rows = [
        compared(_("Paid members at the end of the period"), "count", cur.members, prev.members),
        compared(_("Joins"), "count", cur.joins, prev.joins),
        compared(_("Renewals"), "count", cur.renewals, prev.renewals),
        compared(_("Cancellations"), "count", cur.cancellations, prev.cancellations),
        compared(
            _("Conversion from free members (joins / free members at the start)"),
            "rate",
            permille(cur.joins, cur.free_at_start),
            permille(prev.joins, prev.free_at_start),
        ),
        compared(_("Payments"), "money", cur.payments_cents, prev.payments_cents),
        compared(_("Refunds"), "money", cur.refunds_cents, prev.refunds_cents),
        compared(_("Revenue"), "money", cur.revenue_cents, prev.revenue_cents),
    ]
    chart = charts.bar_chart(
        "paid",
        _("Paid card"),
        _("Joins, renewals and cancellations, this period and the previous one."),
        [_("Joins"), _("Renewals"), _("Cancellations")],
        [
            (_("This period"), [cur.joins, cur.renewals, cur.cancellations]),
            (_("Previous period"), [prev.joins, prev.renewals, prev.cancellations]),
        ],
        fmt=format_points,
    )
    return Table("summary", _("Paid card"), compared_columns(), rows, chart)


# ---- mall ----


def mall_items(ctx: Context) -> Table:
    items = mall_queries.top_items(ctx.cur)
    rows = [
        [
            ("text", i.name),
            ("count", i.orders),
            ("count", i.quantity),
            ("count", i.points),
            ("money", i.cash_cents),
        ]
        for i in items
    ]
    chart = (
        charts.bar_chart(
            "top-items",
            _("Top mall items"),
            _("Orders of the mall items ordered most in the period."),
            [i.name for i in items],
            [(_("Orders"), [i.orders for i in items])],
            fmt=format_points,
        )
        if items
        else None
    )
    columns = [_("Item"), _("Orders"), _("Quantity"), _("Points"), _("Cash part")]
    return Table("items", _("Top mall items"), columns, rows, chart)


def mall_coupons(ctx: Context) -> Table:
    figures = mall_queries.coupons_by_template(ctx.cur, ctx.now)
    rows = [
        [
            ("text", f.name),
            ("count", f.issued),
            ("count", f.used),
            ("count", f.expired),
            ("money", f.off_cents),
        ]
        for f in figures
    ]
    columns = [_("Coupon"), _("Issued"), _("Used"), _("Expired"), _("Amount off (used)")]
    return Table("coupons", _("Coupons by template"), columns, rows)
