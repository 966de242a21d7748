"""Managers adjust points; the owner edits the program rules."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from memberportal.core.auth import role_required
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.members.queries import member_by_id
from memberportal.points import services
from memberportal.points.forms import AdjustForm, DecisionForm, RulesForm
from memberportal.points.models import PENDING, AdjustmentRequest
from memberportal.points.queries import adjustment_requests
from memberportal.whatif.queries import preview

bp = Blueprint("points", __name__, url_prefix="/points")


@bp.route("/member/<int:member_id>/adjust", methods=["GET", "POST"])
@role_required("points.adjust")
def adjust(member_id: int):
    from memberportal.purchases.merchant_views import member_page

    member = member_by_id(member_id)
    if member is None:
        abort(404)
    if request.method == "GET":  # a reload after an error: back to the page the form lives on
        return redirect(url_for("merchant.purchases.member", member_id=member.id), 303)
    form = AdjustForm()
    if form.validate_on_submit():
        try:
            result = services.adjust_points(
                member.id, form.points.data, reason=form.reason.data, actor=current_user,
                now=utcnow(),
            )  # fmt: skip
        except DomainError as error:
            form.points.errors.append(str(error.message))
        else:
            if isinstance(result, AdjustmentRequest):
                flash(
                    _("More than %(n)s points: the adjustment waits for a second staff member's "
                      "approval.", n=services.program_rules().approval_threshold_points),
                    "success",
                )  # fmt: skip
            else:
                flash(_("Points adjusted."), "success")
            return redirect_after_post(url_for("merchant.purchases.member", member_id=member.id))
    return member_page(member, adjust_form=form, status=422)


@bp.route("/rules", methods=["GET", "POST"])
@role_required("program.edit")
def rules():
    current = services.program_rules()
    form = RulesForm(obj=current)
    shown = None
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in services.RULE_FIELDS}
        if request.args.get("preview"):  # the first step: what the change would have done
            shown = preview(SimpleNamespace(**values), now=utcnow())
            return render("merchant/points/rules.html", form=form, preview=shown)
        try:
            services.update_program_rules(actor=current_user, now=utcnow(), **values)
        except DomainError as error:
            field = form.member_day if error.code == "member_day_one_kind" else form.rate_pct
            field.errors.append(str(error.message))
        else:
            flash(_("Program rules saved."), "success")
            return redirect_after_post(url_for("merchant.points.rules"))
    return render(
        "merchant/points/rules.html", form=form, preview=shown,
        status=422 if form.errors else 200,
    )  # fmt: skip


@bp.get("/approvals")
@role_required("points.adjust")
def approvals():
    return render(
        "merchant/points/approvals.html",
        pending=adjustment_requests(PENDING),
        decided=adjustment_requests(None, limit=20),
        form=DecisionForm(),
    )


@bp.route("/approvals/<int:request_id>/approve", methods=["GET", "POST"])
@role_required("points.adjust")
def approve(request_id: int):
    return _decide(request_id, "approve")


@bp.route("/approvals/<int:request_id>/reject", methods=["GET", "POST"])
@role_required("points.adjust")
def reject(request_id: int):
    return _decide(request_id, "reject")


def _decide(request_id: int, decision: str):
    if request.method == "GET":  # a reload: back to the list
        return redirect(url_for("merchant.points.approvals"), 303)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if decision == "approve":
            services.approve_adjustment(request_id, actor=current_user, now=utcnow())
        else:
            services.reject_adjustment(request_id, form.note.data, actor=current_user, now=utcnow())
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        flash(_("Adjustment approved.") if decision == "approve" else _("Adjustment rejected."),
              "success")  # fmt: skip
    return redirect(url_for("merchant.points.approvals"), 303)
