"""The owner's tiers editor: the ladder, a tier's form, retire and delete."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from memberportal.core.auth import role_required
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.coupons.models import CouponTemplate
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.services import program_rules
from memberportal.tiers import editor
from memberportal.tiers.forms import TierActionForm, TierForm
from memberportal.tiers.models import Tier
from memberportal.tiers.queries import all_tiers
from memberportal.tiers.services import reevaluate
from memberportal.whatif.queries import preview

bp = Blueprint("tiers", __name__, url_prefix="/tiers")


def _members_per_tier() -> dict[int, int]:
    rows = db.session.execute(select(Member.tier_id, func.count()).group_by(Member.tier_id))
    return {tier_id: count for tier_id, count in rows}


def _coupons_per_tier() -> dict[int, list[CouponTemplate]]:
    granted: dict[int, list[CouponTemplate]] = {}
    for template in db.session.scalars(
        select(CouponTemplate)
        .where(CouponTemplate.tier_id.is_not(None), CouponTemplate.source == "tier")
        .order_by(CouponTemplate.id)
    ):
        granted.setdefault(template.tier_id, []).append(template)
    return granted


@bp.get("/")
@role_required("tiers.edit")
def index():
    return render(
        "merchant/tiers/index.html",
        tiers=all_tiers(include_retired=True),
        members=_members_per_tier(),
        coupons=_coupons_per_tier(),
        action_form=TierActionForm(),
    )


def _values(form: TierForm) -> dict:
    values = {field: getattr(form, field).data for field in editor.FIELDS if hasattr(form, field)}
    values["paid_discount_bps"] = int((form.paid_discount_pct.data or Decimal(0)) * 100)
    return values


def _preview(form: TierForm, tier_id: int | None):
    """What the edited threshold and multiplier would have done, with the saved rules."""
    if tier_id is None:  # a new tier: shown by its effect on the ladder is future work
        return None
    values = (form.growth_threshold.data or 0, form.points_multiplier_pct.data or 100)
    return preview(program_rules(), now=utcnow(), tiers={tier_id: values})


def _save(form: TierForm, save, template_args: dict):
    tier = template_args.get("tier")
    if form.validate_on_submit() and request.args.get("preview"):
        shown = _preview(form, tier.id if tier else None)
        return render("merchant/tiers/form.html", form=form, preview=shown, **template_args)
    if form.validate_on_submit():
        try:
            moves = save(_values(form))
        except editor.TierRuleBroken as error:
            field = "paid_discount_pct" if error.field == "paid_discount_bps" else error.field
            getattr(form, field, form.code).errors.append(str(error.message))
        except DomainError as error:
            form.code.errors.append(str(error.message))
        else:
            if moves:
                result = reevaluate(utcnow(), actor=current_user)
                flash(_("Tier saved; %(n)s members changed tier.", n=result["moved"]), "success")
            else:
                flash(_("Tier saved."), "success")
            back = "merchant.setup.index" if request.args.get("next") == "setup" else None
            return redirect_after_post(url_for(back or "merchant.tiers.index"))
    return render(
        "merchant/tiers/form.html", form=form, status=422 if form.errors else 200, **template_args
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required("tiers.edit")
def new():
    form = TierForm()
    first = not all_tiers()
    if first and not form.is_submitted():
        form.growth_threshold.data = 0

    def save(values):
        editor.create_tier(actor=current_user, now=utcnow(), **values)
        return not first

    return _save(form, save, {"tier": None, "first": first})


@bp.route("/<int:tier_id>/edit", methods=["GET", "POST"])
@role_required("tiers.edit")
def edit(tier_id: int):
    tier = db.session.get(Tier, tier_id)
    if tier is None:
        abort(404)
    form = TierForm(obj=tier)
    if not form.is_submitted():
        form.paid_discount_pct.data = Decimal(tier.paid_discount_bps) / 100

    def save(values):
        return editor.update_tier(tier_id, actor=current_user, now=utcnow(), **values)[1]

    return _save(form, save, {"tier": tier, "first": False})


@bp.route("/<int:tier_id>/retire", methods=["GET", "POST"])
@role_required("tiers.edit")
def retire(tier_id: int):
    if request.method == "GET":  # a reload: back to the ladder
        return redirect(url_for("merchant.tiers.index"), 303)
    if not TierActionForm().validate_on_submit():
        abort(400)
    try:
        editor.retire_tier(tier_id, actor=current_user, now=utcnow())
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        result = reevaluate(utcnow(), actor=current_user)
        flash(_("Tier retired; %(n)s members changed tier.", n=result["moved"]), "success")
    return redirect(url_for("merchant.tiers.index"), 303)


@bp.route("/<int:tier_id>/delete", methods=["GET", "POST"])
@role_required("tiers.edit")
def delete(tier_id: int):
    if request.method == "GET":  # a reload: back to the ladder
        return redirect(url_for("merchant.tiers.index"), 303)
    if not TierActionForm().validate_on_submit():
        abort(400)
    try:
        editor.delete_tier(tier_id, actor=current_user)
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        flash(_("Tier deleted."), "success")
    return redirect(url_for("merchant.tiers.index"), 303)
