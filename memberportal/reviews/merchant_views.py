"""Merchant backend: the latest reviews members wrote (managers and the owner)."""

from __future__ import annotations

from flask import Blueprint

from memberportal.core.auth import role_required
from memberportal.core.htmx import render
from memberportal.reviews import queries

bp = Blueprint("reviews", __name__, url_prefix="/reviews")


@bp.get("/")
@role_required("reviews.view")
def index():
    return render("merchant/reviews/index.html", rows=queries.latest_reviews())
