"""The /merchant parent blueprint. Each area nests its merchant_views blueprint in it, so no
staff route can exist without this guard; each view also names its permission."""

from __future__ import annotations

import importlib

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user

from memberportal.core.auth import current_staff_can, role_required
from memberportal.core.htmx import render


def require_staff():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.staff_login", next=request.full_path))
    if not current_user.is_staff:
        abort(403)
    return None


@role_required("dashboard.view")
def dashboard():
    from memberportal.tiers.queries import program_open

    if current_staff_can("program.edit") and not program_open():
        # A fresh install: the owner is walked through the first-run setup.
        return redirect(url_for("merchant.setup.index"))
    return render("merchant/dashboard.html")


def create_blueprint(area_modules: list[str]) -> Blueprint:
    """A fresh parent per app (a blueprint's children are fixed once it is registered)."""
    bp = Blueprint("merchant", __name__, url_prefix="/merchant")
    bp.before_request(require_staff)
    bp.add_url_rule("/", "dashboard", dashboard)
    for module in area_modules:
        bp.register_blueprint(importlib.import_module(module).bp)
    return bp
