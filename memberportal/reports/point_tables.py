"""Points: flows in the period and month by month against the healthy redemption rate; the
outstanding liability by expiry."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from memberportal.core.clock import local_date
from memberportal.core.templating import points as format_points
from memberportal.reports import charts, point_queries
from memberportal.reports.rules import (
    HEALTHY_REDEMPTION_PERMILLE,
    expiry_bucket_starts,
    format_permille,
    permille,
    value_of_points,
    yuan_per_point,
)
from memberportal.reports.tables import (
    Context,
    Table,
    compared,
    compared_columns,
    month_label,
)

SOURCES = {
    "purchase": _l("Purchases"),
    "adjust": _l("Staff grants"),
    "referral": _l("Referrals"),
    "campaign": _l("Campaigns"),
    "sign_in": _l("Daily check-ins"),
    "referral_welcome": _l("Invite welcomes"),
    "wallet_bonus": _l("Top-up bonuses"),
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
    labels = [month_label(d) for d in firsts[:-1]]
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
    columns = [_("Expires"), _("Points"), _("Value (yuan)")]
    return Table("liability", _("Outstanding points liability"), columns, rows, chart, note)
