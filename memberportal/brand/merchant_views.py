"""The owner's first-run setup: brand, tiers, earning and expiry, then open the program."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from memberportal.brand import services
from memberportal.brand.forms import BrandForm, EarnForm, FinishForm
from memberportal.core import brand
from memberportal.core.auth import role_required
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.points import services as points
from memberportal.tiers.queries import all_tiers

bp = Blueprint("setup", __name__, url_prefix="/setup")

EARN_FIELDS = ("rate_pct", "expiry_policy", "expiry_months", "clearing_month", "clearing_day")


def _forms():
    values = brand.current()
    brand_form = BrandForm(prefix="brand", data=values if request.method == "GET" else None)
    brand_form.time_zone.choices = services.time_zones()
    earn_form = EarnForm(prefix="earn", obj=points.program_rules())
    return brand_form, earn_form


def _page(brand_form, earn_form, status=200):
    saved = services.settings()
    return render(
        "merchant/brand/setup.html", brand_form=brand_form, earn_form=earn_form,
        finish_form=FinishForm(prefix="finish"), saved=saved, tiers=all_tiers(),
        done=services.setup_done(), status=status,
    )  # fmt: skip


@bp.get("/")
@role_required("program.edit")
def index():
    return _page(*_forms())


@bp.route("/brand", methods=["GET", "POST"])
@role_required("program.edit")
def save_brand():
    if request.method == "GET":
        return redirect(url_for("merchant.setup.index"), 303)
    brand_form, earn_form = _forms()
    if brand_form.validate_on_submit():
        try:
            services.save_brand(
                brand_form.name.data, brand_form.time_zone.data,
                brand_form.currency_display.data, actor=current_user,
            )  # fmt: skip
        except services.BrandRuleBroken as error:
            getattr(brand_form, error.field).errors.append(str(error.message))
        else:
            brand.forget()
            flash(_("Brand saved."), "success")
            return redirect_after_post(url_for("merchant.setup.index"))
    return _page(brand_form, earn_form, status=422)


@bp.route("/earning", methods=["GET", "POST"])
@role_required("program.edit")
def save_earning():
    if request.method == "GET":
        return redirect(url_for("merchant.setup.index"), 303)
    brand_form, earn_form = _forms()
    if earn_form.validate_on_submit():
        values = {name: getattr(earn_form, name).data for name in EARN_FIELDS}
        try:
            points.update_program_rules(actor=current_user, now=utcnow(), **values)
        except DomainError as error:
            earn_form.rate_pct.errors.append(str(error.message))
        else:
            flash(_("Earning and expiry saved."), "success")
            return redirect_after_post(url_for("merchant.setup.index"))
    return _page(brand_form, earn_form, status=422)


@bp.route("/finish", methods=["GET", "POST"])
@role_required("program.edit")
def finish():
    if request.method == "GET":
        return redirect(url_for("merchant.setup.index"), 303)
    form = FinishForm(prefix="finish")
    if form.validate_on_submit():
        try:
            services.finish_setup(actor=current_user, now=utcnow())
        except DomainError as error:
            flash(str(error.message), "error")
        else:
            flash(_("The member program is open: members can join now."), "success")
            return redirect_after_post(url_for("merchant.dashboard"))
    return redirect(url_for("merchant.setup.index"), 303)
