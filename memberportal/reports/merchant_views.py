"""The merchant's reports: a page per subject, each figure beside the previous period's, with
its chart and a CSV export of every table. Managers and the owner only."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, request, stream_with_context

from memberportal.core import brand
from memberportal.core.auth import role_required
from memberportal.core.clock import local_date, utcnow
from memberportal.core.htmx import render
from memberportal.reports import pages, tables
from memberportal.reports.forms import PeriodForm
from memberportal.reports.rules import BadPeriod, resolve_period

bp = Blueprint("reports", __name__, url_prefix="/reports")

BOM = "\ufeff"  # so spreadsheet programs read the file as UTF-8 (Chinese names)


def _context() -> tuple[PeriodForm, tables.Context, str | None]:
    """The period asked for in the query string; this month, with the reason, when it is not
    one we can report."""
    form = PeriodForm(request.args)
    now = utcnow()
    today = local_date(now)
    try:
        if not form.validate():
            raise BadPeriod()
        period, previous = resolve_period(form.period.data, today, form.start.data, form.end.data)
        return form, tables.Context(period, previous, now), None
    except BadPeriod as bad:
        period, previous = resolve_period("this_month", today)
        return form, tables.Context(period, previous, now), str(bad.message)


def _period_args() -> dict:
    return {k: v for k, v in request.args.items() if k in ("period", "start", "end") and v}


@bp.get("/")
@role_required("reports.view")
def index():
    return page("members")


@bp.get("/<page>")
@role_required("reports.view")
def page(page: str):
    if page not in pages.PAGES:
        abort(404)
    form, ctx, error = _context()
    built = [build(ctx) for build in pages.PAGES[page]]
    return render(
        "merchant/reports/page.html",
        status=400 if error else 200,
        form=form,
        ctx=ctx,
        error=error,
        report=page,
        pages=list(pages.PAGES),
        page_title=pages.page_title,
        tables=built,
        show=tables.show,
        args=_period_args(),
        brand_zone=brand.current()["time_zone"],
    )


@bp.get("/<page>/<key>.csv")
@role_required("reports.view")
def export(page: str, key: str):
    build = pages.builder(page, key)
    if build is None:
        abort(404)
    _form, ctx, error = _context()
    if error:
        abort(400, error)
    table = build(ctx)
    name = f"{page}-{key}-{ctx.period.start:%Y%m%d}-{ctx.period.last_day:%Y%m%d}.csv"
    response = Response(stream_with_context(_rows(table)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.mimetype_params["charset"] = "utf-8"
    return response


def _rows(table: tables.Table):
    """The table's lines, one at a time, after the byte order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield BOM
    for row in [table.columns, *([tables.csv_value(c) for c in r] for r in table.rows)]:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
