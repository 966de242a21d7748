"""The member's coupons: what they can use now (with a code and QR), and what is used up."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from memberportal.core import qr as qr_codes
from memberportal.core.auth import member_required
from memberportal.core.clock import utcnow
from memberportal.core.htmx import render
from memberportal.coupons import queries, services

bp = Blueprint("coupons", __name__, url_prefix="/coupons")


@bp.get("/")
@member_required
def index():
    now = utcnow()
    # Tier, paid-card, birthday and member-day coupons are issued here, lazily and once,
    # whatever path moved the member's tier or card.
    services.issue_coupons(current_user.id, now)
    return render(
        "coupons/index.html", coupons=queries.coupons_for_member(current_user.id, now), now=now
    )


@bp.get("/<int:coupon_id>/qr.svg")
@member_required
def qr(coupon_id: int):
    """The coupon code as a QR code (drawn on the server), only for the coupon's member."""
    coupon = queries.member_coupon_or_none(current_user.id, coupon_id)
    if coupon is None:
        abort(404)
    return qr_codes.svg_response(coupon.code, scale=5)
