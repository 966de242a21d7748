"""What each report page shows: its tables (the numbers, also exported as CSV) and the chart
drawn from each. A table is built from one query module's figures for one period and the one
it is compared with; the page and the CSV export call the same builder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from memberportal.core.clock import local_date, start_of_day
from memberportal.core.money import format_cents
from memberportal.core.templating import points as format_points
from memberportal.reports import charts, mall_queries, point_queries, queries, sales_queries
from memberportal.reports.queries import Window
from memberportal.reports.rules import (
    HEALTHY_REDEMPTION_PERMILLE,
    SPEND_BANDS,
    Period,
    average,
    expiry_bucket_starts,
    format_permille,
    month_starts,
    per_ten,
    permille,
    signed_permille,
    value_of_points,
    yuan_per_point,
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


def _month_label(d: date) -> str:
    return d.strftime("%Y-%m")


# ---- members ----


def members_summary(ctx: Context) -> Table:
    cur, prev = queries.member_counts(ctx.cur, ctx.prev)
    active = queries.active_members(ctx.cur, ctx.prev)
    rows = [
        compared(_("New members"), "count", cur.new, prev.new),
        compared(_("Members at the end of the period"), "count", cur.total, prev.total),
        compared(
            _("Growth rate (new / members at the start)"),
            "rate",
            permille(*cur.growth),
            permille(*prev.growth),
        ),
        compared(_("Active members (a purchase, redemption or sign-in)"), "count", *active),
        compared(
            _("Share of members active"),
            "rate",
            permille(active[0], cur.total),
            permille(active[1], prev.total),
        ),
    ]
    chart = charts.bar_chart(
        "members-summary",
        _("New and active members"),
        _("New and active members in this period and the previous one."),
        [_("New members"), _("Active members")],
        [(_("This period"), [cur.new, active[0]]), (_("Previous period"), [prev.new, active[1]])],
        fmt=format_points,
    )
    return Table("summary", _("Members"), compared_columns(), rows, chart)


def members_by_month(ctx: Context) -> Table:
    firsts = ctx.months()
    windows = [
        Window(start_of_day(a), start_of_day(b)) for a, b in zip(firsts, firsts[1:], strict=False)
    ]
    counts = queries.member_counts(*windows)
    labels = [_month_label(d) for d in firsts[:-1]]
    rows = [
        [("text", m), ("count", c.new), ("count", c.total)]
        for m, c in zip(labels, counts, strict=True)
    ]
    chart = charts.bar_chart(
        "members-by-month",
        _("New members per month"),
        _("Members who joined in each of the 12 months up to the period's end."),
        labels,
        [(_("New members"), [c.new for c in counts])],
        fmt=format_points,
    )
    columns = [_("Month"), _("New members"), _("Members at the month's end")]
    return Table("by_month", _("New members per month"), columns, rows, chart)


def members_tiers(ctx: Context) -> Table:
    tiers = queries.tier_distribution(ctx.cur.end_at, ctx.prev.end_at)
    everyone = [sum(n[i] for _name, n in tiers) for i in range(2)]
    rows = [
        [
            ("text", name),
            ("count", n[0]),
            ("rate", permille(n[0], everyone[0])),
            ("count", n[1]),
            ("rate", permille(n[1], everyone[1])),
        ]  # fmt: skip
        for name, n in tiers
    ]
    chart = charts.bar_chart(
        "tiers", _("Tier distribution"),
        _("Members in each tier at the end of this period and of the previous one."),
        [name for name, _n in tiers],
        [(_("This period"), [n[0] for _name, n in tiers]),
         (_("Previous period"), [n[1] for _name, n in tiers])],
        fmt=format_points,
    )  # fmt: skip
    columns = [_("Tier"), _("Members at the end of the period"), _("Share"),
               _("Previous period"), _("Share")]  # fmt: skip
    return Table("tiers", _("Tier distribution"), columns, rows, chart)


def members_tier_moves(ctx: Context) -> Table:
    rows = [
        [
            ("text", m.source),
            ("text", m.target),
            ("text", _("up") if m.up else _("down")),
            ("count", m.counts[0]),
            ("count", m.counts[1]),
        ]
        for m in queries.tier_moves(ctx.cur, ctx.prev)
    ]
    columns = [_("From"), _("To"), _("Direction"), _("This period"), _("Previous period")]
    return Table("tier_moves", _("Tier moves"), columns, rows)


# ---- cohorts ----


def cohorts_retention(ctx: Context) -> Table:
    c = queries.cohorts(ctx.months())
    rows = []
    for i, month in enumerate(c.months):
        cells: list[Cell] = [("text", _month_label(month)), ("count", c.sizes[i])]
        cells += [("rate", permille(n, c.sizes[i])) for n in c.active[i]]
        rows.append(cells)
    columns = [_("Join month"), _("Members")] + [_("Month %(n)s", n=k) for k in range(MONTHS)]
    note = _(
        "Share of each month's new members who were active (a purchase, redemption or sign-in) "
        "in their first month (month 0) and each month after, in the brand's time zone."
    )
    return Table("retention", _("Retention by join month"), columns, rows, note=note, heat=True)


# ---- points ----

SOURCES = {
    "purchase": _l("Purchases"),
    "adjust": _l("Staff grants"),
    "referral": _l("Referrals"),
    "campaign": _l("Campaigns"),
}


def source_label(kind: str) -> str:
    return str(SOURCES.get(kind, kind))


def _ledger(ctx: Context) -> point_queries.LedgerSummary:
    """The period's, the previous period's and the 12 months' point flows: one ledger scan
    that the page's two point tables share."""
    return ctx.once(
        "ledger", lambda: point_queries.ledger_summary([ctx.cur, ctx.prev], ctx.months())
    )


def points_flows(ctx: Context) -> Table:
    cur, prev = _ledger(ctx).windows
    rows = [compared(_("Points issued"), "count", cur.issued, prev.issued)]
    for kind in point_queries.sources([cur, prev]):
        rows.append(
            compared(
                _("Issued: %(source)s", source=source_label(kind)),
                "count",
                cur.issued_by_source.get(kind, 0),
                prev.issued_by_source.get(kind, 0),
            )
        )
    rows += [
        compared(_("Points redeemed"), "count", cur.redeemed, prev.redeemed),
        compared(_("Points expired"), "count", cur.expired, prev.expired),
        compared(_("Taken back by refunds"), "count", cur.clawed_back, prev.clawed_back),
        compared(_("Granted by staff"), "count", cur.granted_by_staff, prev.granted_by_staff),
        compared(_("Taken by staff"), "count", cur.taken_by_staff, prev.taken_by_staff),
        compared(
            _("Breakage (expired / issued)"),
            "rate",
            permille(cur.expired, cur.issued),
            permille(prev.expired, prev.issued),
        ),
        compared(
            _("Redemption rate (redeemed / issued)"),
            "rate",
            permille(cur.redeemed, cur.issued),
            permille(prev.redeemed, prev.issued),
        ),
    ]
    labels = [_("Issued"), _("Redeemed"), _("Expired"), _("Taken back by refunds")]
    chart = charts.bar_chart(
        "points-flows",
        _("Points in and out"),
        _("Points issued, redeemed, expired and taken back, this period and the previous one."),
        labels,
        [
            (_("This period"), [cur.issued, cur.redeemed, cur.expired, cur.clawed_back]),
            (_("Previous period"), [prev.issued, prev.redeemed, prev.expired, prev.clawed_back]),
        ],
        fmt=format_points,
    )
    return Table("flows", _("Points"), compared_columns(), rows, chart)


def points_monthly(ctx: Context) -> Table:
    firsts = ctx.months()
    flows = _ledger(ctx).months
    labels = [_month_label(d) for d in firsts[:-1]]
    rates = [permille(f.redeemed, f.issued) for f in flows]
    rows = [
        [("text", m), ("count", f.issued), ("count", f.redeemed), ("count", f.expired), ("rate", r)]
        for m, f, r in zip(labels, flows, rates, strict=True)
    ]
    chart = charts.bar_chart(
        "redemption-rate",
        _("Redemption rate per month"),
        _(
            "Points redeemed as a share of points issued in each month; the line marks the "
            "healthy 50%."
        ),
        labels,
        [(_("Redemption rate"), rates)],
        fmt=format_permille,
        reference=(HEALTHY_REDEMPTION_PERMILLE, _("Healthy: 50%")),
    )
    columns = [_("Month"), _("Issued"), _("Redeemed"), _("Expired"), _("Redemption rate")]
    return Table("monthly", _("Points per month"), columns, rows, chart)


def points_liability(ctx: Context) -> Table:
    owed = point_queries.liability(expiry_bucket_starts(local_date(ctx.now)))
    names = [
        _("Expiring this month"),
        _("In the next 3 months"),
        _("In 4 to 12 months"),
        _("Later"),
    ]

    def value(p: int) -> int | None:
        return value_of_points(p, owed.value_cents, owed.for_points)

    rows = [
        [("text", n), ("count", p), ("money", value(p))]
        for n, p in zip(names, owed.buckets, strict=True)
    ]
    rows.append(
        [
            ("text", _("Outstanding (liability)")),
            ("count", owed.outstanding),
            ("money", value(owed.outstanding)),
        ]
    )
    rows.append(
        [("text", _("Owed by members after refunds")), ("count", owed.debt), ("money", None)]
    )
    rate = yuan_per_point(owed.value_cents, owed.for_points)
    note = _(
        "Open points today. Value at the mall's average of %(rate)s yuan per point "
        "(the face value of the coupon items on sale per point they cost).",
        rate=rate,
    )
    chart = charts.bar_chart(
        "liability",
        _("Outstanding points by expiry"),
        _("Open points by when they expire."),
        names,
        [(_("Points"), owed.buckets)],
        fmt=format_points,
    )
    columns = [_("Expires"), _("Points"), _("Value")]
    return Table("liability", _("Outstanding points liability"), columns, rows, chart, note)


# ---- sales ----


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
