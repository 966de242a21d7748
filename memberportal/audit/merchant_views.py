"""Managers: the audit trail, newest first, with htmx load-more."""

from __future__ import annotations

from flask import Blueprint, request

from memberportal.audit import labels
from memberportal.audit.queries import recent_entries
from memberportal.core.auth import role_required
from memberportal.core.htmx import render

bp = Blueprint("audit", __name__, url_prefix="/audit")

PAGE = 50


@bp.get("/")
@role_required("audit.view")
def index():
    before = request.args.get("before", type=int)
    entries = recent_entries(before_id=before, limit=PAGE)
    return render(
        "merchant/audit/index.html",
        "merchant/audit/_rows.html",
        entries=entries,
        more=len(entries) == PAGE,
        action_label=labels.action_label,
        subject_label=labels.subject_label,
        actor_label=labels.actor_label,
    )
