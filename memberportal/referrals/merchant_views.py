"""Managers and the owner: every referral, newest first, searchable by member number."""

from __future__ import annotations

from flask import Blueprint, request

from memberportal.core.auth import role_required
from memberportal.core.htmx import render
from memberportal.referrals import queries
from memberportal.referrals.forms import ReferralSearchForm

bp = Blueprint("referrals", __name__, url_prefix="/referrals")

PAGE = 50


@bp.get("/")
@role_required("referrals.view")
def index():
    form = ReferralSearchForm(request.args)
    query = (form.q.data or "").strip()
    before = request.args.get("before", type=int)
    rows = queries.referrals_page(query, before_id=before, limit=PAGE + 1)
    return render(
        "merchant/referrals/index.html",
        "merchant/referrals/_rows.html",
        form=form,
        query=query,
        rows=rows[:PAGE],
        total=queries.count_referrals(query),
        more=len(rows) > PAGE,
        continued=bool(before),
    )
