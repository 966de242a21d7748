"""The member's points page: balance, what expires when, and the explained history."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from memberportal.core.auth import member_required
from memberportal.core.clock import utcnow
from memberportal.core.htmx import render
from memberportal.points import queries
from memberportal.points.rules import EXPIRY_WARNING_DAYS, split_expiries

bp = Blueprint("points", __name__)

KIND_LABELS = {
    "earn": _l("Earned"),
    "spend": _l("Spent"),
    "expire": _l("Expired"),
    "give_back": _l("Returned"),
    "clawback": _l("Taken back (refund)"),
}


@bp.get("/points")
@member_required
def index():
    entry_type = request.args.get("type") or None
    if entry_type not in KIND_LABELS:
        entry_type = None
    before = request.args.get("before", type=int)
    rows = queries.history_for_member(current_user.id, entry_type=entry_type, before_id=before)
    now = utcnow()
    soon, later = split_expiries(queries.upcoming_expiries(current_user.id, now), now)
    return render(
        "points/index.html",
        "points/_history_rows.html",
        member=current_user,
        expiring_soon=soon,
        expiries=later,
        warning_days=EXPIRY_WARNING_DAYS,
        rows=rows,
        more=len(rows) == queries.HISTORY_PAGE,
        entry_type=entry_type,
        kinds=KIND_LABELS,
    )
