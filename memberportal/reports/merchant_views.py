"""The merchant's report: what the program is doing, on one server-rendered page."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from memberportal.core.auth import role_required
from memberportal.core.clock import utcnow
from memberportal.core.htmx import render
from memberportal.reports import queries
from memberportal.reports.rules import bar_width, format_permille, permille

bp = Blueprint("reports", __name__, url_prefix="/reports")

PAID_STATUS_LABELS = {
    "active": _l("Active"),
    "trialing": _l("Trial"),
    "past_due": _l("Payment overdue"),
    "on_hold": _l("On hold"),
    "ended": _l("Ended"),
    "revoked": _l("Revoked"),
}


@bp.get("/")
@role_required("reports.view")
def index():
    now = utcnow()
    points = queries.point_figures()
    members = queries.member_figures(now)
    paid = queries.paid_figures()
    return render(
        "merchant/reports/index.html",
        members=members,
        new_members=[(month.strftime("%Y-%m"), n) for month, n in members.new_by_month],
        tiers=queries.tier_distribution(),
        points=points,
        redemption_rate=format_permille(permille(points.redeemed, points.issued)),
        paid=paid,
        paid_status=[(PAID_STATUS_LABELS.get(s, s), n) for s, n in paid.by_status],
        items=queries.top_items(),
        bar=bar_width,
        active_days=queries.ACTIVE_DAYS,
    )
