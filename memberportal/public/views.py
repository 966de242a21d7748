"""Pages anyone may see, and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, url_for
from flask_login import current_user
from sqlalchemy import text

from memberportal.core.htmx import render
from memberportal.extensions import db
from memberportal.members.rules import CONSENT_VERSION
from memberportal.tiers.queries import all_tiers

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for("merchant.dashboard" if current_user.is_staff else "members.card"))
    return render("public/home.html", tiers=all_tiers())


@bp.get("/privacy")
def privacy():
    """The privacy notice a member accepts on joining (its version is stored with them)."""
    return render("public/privacy.html", version=CONSENT_VERSION)


@bp.get("/terms")
def terms():
    """The user agreement of the member program."""
    return render("public/terms.html", version=CONSENT_VERSION)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means unhealthy
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
