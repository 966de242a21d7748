"""Members: new, total, growth, active, new per month, tiers and their moves; retention by
join month."""

from __future__ import annotations

from flask_babel import gettext as _

from memberportal.core.clock import start_of_day
from memberportal.core.templating import points as format_points
from memberportal.reports import charts, queries
from memberportal.reports.queries import Window
from memberportal.reports.rules import (
    permille,
)
from memberportal.reports.tables import (
    MONTHS,
    Cell,
    Context,
    Table,
    compared,
    compared_columns,
    month_label,
)


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
    labels = [month_label(d) for d in firsts[:-1]]
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
        cells: list[Cell] = [("text", month_label(month)), ("count", c.sizes[i])]
        cells += [("rate", permille(n, c.sizes[i])) for n in c.active[i]]
        rows.append(cells)
    columns = [_("Join month"), _("Members")] + [_("Month %(n)s", n=k) for k in range(MONTHS)]
    note = _(
        "Share of each month's new members who were active (a purchase, redemption or sign-in) "
        "in their first month (month 0) and each month after, in the brand's time zone."
    )
    return Table("retention", _("Retention by join month"), columns, rows, note=note, heat=True)
