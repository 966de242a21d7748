"""The member's points page: balance, what expires when, and the explained history."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from memberportal.core.auth import member_required
from memberportal.core.clock import utcnow
from memberportal.core.htmx import render
from memberportal.points import queries

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
    return render(
        "points/index.html",
        "points/_history_rows.html",
        member=current_user,
        expiries=queries.upcoming_expiries(current_user.id, utcnow()),
        rows=rows,
        more=len(rows) == queries.HISTORY_PAGE,
        entry_type=entry_type,
        kinds=KIND_LABELS,
    )
