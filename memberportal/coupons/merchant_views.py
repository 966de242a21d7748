"""Merchant backend: coupon templates (managers and the owner) and the write-off (all staff)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from memberportal.core.auth import role_required
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.core.money import format_cents
from memberportal.coupons import queries, services, template_services
from memberportal.coupons.errors import TemplateRuleBroken
from memberportal.coupons.forms import ActiveForm, LookupForm, TemplateForm, WriteOffForm
from memberportal.points.services import program_rules
from memberportal.tiers.queries import all_tiers

bp = Blueprint("coupons", __name__, url_prefix="/coupons")

# Which form field a service's TemplateRuleBroken is about.
PROBLEM_FIELDS = {
    "name": "name_zh",
    "amount": "amount",
    "threshold": "min_spend",
    "valid_days": "valid_days",
    "tier": "tier_id",
    "source": "source",
    "paid_tier": "tier_id",
    "mall_tier": "tier_id",
    "quarterly": "per_quarter",
    "member_day_days": "valid_days",
    "birthday_days": "valid_days",
}


@bp.get("/templates")
@role_required("coupons.edit")
def templates():
    return render(
        "merchant/coupons/templates.html",
        templates=queries.templates(),
        member_day=program_rules().member_day,
    )


def _form(template=None) -> TemplateForm:
    form = TemplateForm(obj=template)
    form.tier_id.choices = [SelectChoice(0, _("No tier"))] + [
        SelectChoice(t.id, t.name) for t in all_tiers()
    ]
    if template is not None and request.method == "GET":
        form.amount.data = f"{template.amount_cents / 100:.2f}"
        form.min_spend.data = f"{template.min_spend_cents / 100:.2f}"
        form.tier_id.data = template.tier_id or 0
    return form


def _input(form: TemplateForm) -> template_services.TemplateInput:
    return template_services.TemplateInput(
        name_zh=form.name_zh.data,
        name_en=form.name_en.data,
        amount_cents=form.amount_cents,
        min_spend_cents=form.min_spend_cents,
        valid_days=form.valid_days.data,
        tier_id=form.tier_id.data or None,
        source=form.source.data,
        per_quarter=bool(form.per_quarter.data),
    )


def _form_page(form, template, *, error=None, status=200):
    return render(
        "merchant/coupons/template_form.html",
        form=form,
        template=template,
        active_form=ActiveForm(),
        member_day=program_rules().member_day,
        error=error,
        status=status,
    )


def _save(form, template=None):
    """Validate and call the service; the page again with the messages when it says no."""
    if not form.validate_on_submit():
        return _form_page(form, template, status=422 if form.is_submitted() else 200)
    try:
        if template is None:
            template = template_services.create_template(
                _input(form), actor=current_user, now=utcnow()
            )
        else:
            template_services.update_template(
                template.id, _input(form), actor=current_user, now=utcnow()
            )
    except TemplateRuleBroken as error:
        field = getattr(form, PROBLEM_FIELDS.get(error.details.get("field"), "name_zh"))
        field.errors = [*field.errors, str(error.message)]
        return _form_page(form, template, error=str(error.message), status=422)
    flash(_("Coupon saved."), "ok")
    return redirect_after_post(url_for("merchant.coupons.templates"))


@bp.route("/templates/new", methods=["GET", "POST"])
@role_required("coupons.edit")
def new_template():
    return _save(_form())


def _template_or_404(template_id: int):
    template = queries.template_or_none(template_id)
    if template is None:
        abort(404)
    return template


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@role_required("coupons.edit")
def edit_template(template_id: int):
    template = _template_or_404(template_id)
    return _save(_form(template), template)


def _set_active(template_id: int, active: bool):
    template = _template_or_404(template_id)
    if request.method == "GET":  # a reload after an error: back to the template
        return redirect(url_for("merchant.coupons.edit_template", template_id=template_id), 303)
    if not ActiveForm().validate_on_submit():
        return _form_page(_form(template), template, status=422)
    template_services.set_template_active(template_id, active, actor=current_user, now=utcnow())
    if active:
        flash(
            _(
                "Coupon active: the members it is for (its tier, the paid card, the birthday "
                "month or the member day) receive it."
            ),
            "ok",
        )
    else:
        flash(_("Coupon deactivated: no new ones are issued; coupons held stay valid."), "ok")
    return redirect_after_post(url_for("merchant.coupons.templates"))


@bp.route("/templates/<int:template_id>/deactivate", methods=["GET", "POST"])
@role_required("coupons.edit")
def deactivate(template_id: int):
    return _set_active(template_id, False)


@bp.route("/templates/<int:template_id>/activate", methods=["GET", "POST"])
@role_required("coupons.edit")
def activate(template_id: int):
    return _set_active(template_id, True)


def _write_off_page(form=None, *, code="", error=None, status=200):
    found = queries.coupon_with_member(code) if code else None
    lookup = LookupForm(code=code)
    if code and found is None and error is None and status == 200:
        error, status = _("No coupon has this code."), 404
    if found and form is None:
        form = WriteOffForm(code=found[0].code)
    return render(
        "merchant/coupons/write_off.html",
        lookup=lookup,
        form=form or WriteOffForm(),
        found=found,
        now=utcnow(),
        error=error,
        status=status,
    )


@bp.get("/write-off")
@role_required("coupons.write_off")
def write_off_page():
    """Type or scan a code: the coupon and its member are shown before anything changes."""
    return _write_off_page(code=(LookupForm(request.args).code.data or "").strip())


@bp.route("/write-off/confirm", methods=["GET", "POST"])
@role_required("coupons.write_off")
def write_off():
    """Write off a coupon against the order amount the cashier typed (from this page or the
    staff member page); a missing or invalid amount shows the coupon again with the error."""
    if request.method == "GET":  # a reload after an error: back to the write-off page
        return redirect(url_for("merchant.coupons.write_off_page"), 303)
    form = WriteOffForm()
    code = (form.code.data or "").strip()
    if not form.validate_on_submit():
        return _write_off_page(form, code=code, status=422)
    member_id = int(form.member_id.data) if (form.member_id.data or "").isdigit() else None
    try:
        coupon = services.write_off(
            code,
            order_cents=form.order_cents,
            actor=current_user,
            now=utcnow(),
            member_id=member_id,
        )
    except DomainError as error:
        return _write_off_page(form, code=code, error=str(error.message), status=error.status)
    flash(
        _(
            "Coupon written off: %(amount)s off (%(name)s) on an order of %(order)s.",
            amount=format_cents(coupon.amount_cents),
            name=coupon.name,
            order=format_cents(coupon.used_on_cents),
        ),
        "ok",
    )
    if member_id:
        return redirect_after_post(url_for("merchant.members.detail", member_id=member_id))
    return redirect_after_post(url_for("merchant.coupons.write_off_page"))
