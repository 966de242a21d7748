"""The member's own pages: the member card and its QR code."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, send_from_directory, url_for
from flask_login import current_user

from memberportal.core import qr
from memberportal.core.auth import member_required
from memberportal.core.clock import utcnow
from memberportal.core.htmx import is_htmx, render
from memberportal.members.queries import card_code_for
from memberportal.members.rules import tier_progress
from memberportal.points.services import benefits_today, program_rules
from memberportal.tiers.queries import interaction_status, next_tier, tier_history
from memberportal.tiers.rules import interactions_still_allowed

bp = Blueprint("members", __name__)


@bp.get("/card")
@member_required
def card():
    from memberportal.coupons import services as coupon_services

    # Coupons (tier, paid card, birthday month, member day) are issued lazily and once.
    coupon_services.issue_coupons(current_user.id, utcnow())
    return render("members/card.html", **card_context(current_user))


def card_context(member) -> dict:
    """What the card page and its interaction fragment show (tier progress, sign-in state)."""
    from memberportal.coupons.queries import usable_count

    upcoming = next_tier(member.tier)
    progress = tier_progress(
        member.growth, member.tier.growth_threshold, upcoming.growth_threshold if upcoming else None
    )
    allowed = interactions_still_allowed(
        member.growth_interaction,
        upcoming.growth_threshold if upcoming else None,
        program_rules().interaction_cap_pct,
    )
    return {
        "member": member,
        "next_tier": upcoming,
        "progress": progress,
        "interactions_allowed": allowed,
        "interactions": interaction_status(member.id, utcnow()),
        "coupon_count": usable_count(member.id, utcnow()),
        "referral_points": program_rules().referral_points,
        "referral_welcome": program_rules().referral_welcome_points,
        "referral_held": program_rules().referral_hold_until_purchase,
        "tier_moves": tier_history(member.id, limit=10),
        "today": benefits_today(member, utcnow()),
        **code_context(member),
    }


def code_context(member) -> dict:
    """The card's rotating code now, as digits and as a QR code drawn into the page."""
    code = card_code_for(member, utcnow())
    return {"code": code, "code_qr": qr.svg_data_uri(code.code)}


@bp.get("/card/code")
@member_required
def card_code():
    """The card's current code (htmx polls it, so the page shows a fresh one without reload)."""
    if not is_htmx():
        return redirect(url_for("members.card"))
    response = render("members/_code.html", **code_context(current_user))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/card/qr.svg")
@member_required
def card_qr():
    """The card's current code as a QR code, drawn on the server so it needs no script."""
    return qr.svg_response(card_code_for(current_user, utcnow()).code)


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest that makes the card installable (its name is the brand's)."""
    from memberportal.core import brand

    name = brand.current()["name"]
    icons = [
        {"src": url_for("static", filename=f"icons/icon-{size}.png"), "type": "image/png",
         "sizes": f"{size}x{size}", "purpose": "any"}
        for size in (192, 512)
    ]  # fmt: skip
    response = jsonify(
        name=name, short_name=name[:12], id="/card", start_url="/card", scope="/",
        display="standalone", background_color="#f6f4f1", theme_color="#b3261e", icons=icons,
    )  # fmt: skip
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
def service_worker():
    """The service worker, served from the root so that it may keep the card page."""
    response = send_from_directory(current_app.static_folder, "js/sw.js", max_age=0)
    response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "no-cache"
    return response
