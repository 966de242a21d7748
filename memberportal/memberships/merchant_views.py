"""The owner's side: plans, paid members with revenue, billing history, unmatched events."""

from __future__ import annotations

from flask import Blueprint, abort, url_for
from flask_login import current_user

from memberportal.core.auth import role_required
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.members.queries import member_by_id
from memberportal.memberships import queries, services
from memberportal.memberships.forms import PlanForm
from memberportal.memberships.models import PLAN_STATE_LABELS, STATUS_LABELS
from memberportal.payments import queries as payment_queries

bp = Blueprint("memberships", __name__, url_prefix="/memberships")


@bp.context_processor
def labels():
    """Staff read a status or plan state as words, not as its stored code."""
    return {
        "status_label": lambda code: STATUS_LABELS.get(code, code),
        "plan_state_label": lambda code: PLAN_STATE_LABELS.get(code, code),
    }


@bp.get("/")
@role_required("payments.view")
def paid_members():
    return render("merchant/memberships/paid_members.html", rows=queries.paid_members())


@bp.get("/members/<int:member_id>")
@role_required("payments.view")
def member_billing(member_id: int):
    member = member_by_id(member_id)
    if member is None:
        abort(404)
    return render(
        "merchant/memberships/member_billing.html",
        member=member,
        memberships=queries.memberships_for_member(member_id),
        records=queries.billing_for_member(member_id),
    )


@bp.get("/events/unmatched")
@role_required("payments.view")
def unmatched():
    return render("merchant/memberships/unmatched.html", events=payment_queries.unmatched_events())


@bp.get("/plans/")
@role_required("plans.edit")
def plans():
    return render("merchant/memberships/plans.html", plans=queries.all_plans())


@bp.route("/plans/new", methods=["GET", "POST"])
@role_required("plans.edit")
def new_plan():
    form = PlanForm()
    if form.validate_on_submit():
        try:
            services.create_plan(form.code.data, actor=current_user, **form.values())
        except DomainError as error:
            form.code.errors.append(str(error.message))
        else:
            return redirect_after_post(url_for(".plans"))
    status = 422 if form.is_submitted() else 200
    return render("merchant/memberships/plan_form.html", status=status, form=form, plan=None)


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@role_required("plans.edit")
def edit_plan(plan_id: int):
    plan = queries.plan_by_id(plan_id)
    if plan is None:
        abort(404)
    form = PlanForm(obj=plan)
    form.code.data = plan.code  # the code is the plan's identity; it does not change
    if not form.is_submitted():
        form.price.data = f"{plan.price_cents / 100:.2f}"
        if plan.first_period_price_cents is not None:
            form.first_period_price.data = f"{plan.first_period_price_cents / 100:.2f}"
    if form.validate_on_submit():
        try:
            services.update_plan(plan.id, actor=current_user, **form.values())
        except DomainError as error:
            form.first_period_price.errors.append(str(error.message))
        else:
            return redirect_after_post(url_for(".plans"))
    status = 422 if form.is_submitted() else 200
    return render("merchant/memberships/plan_form.html", status=status, form=form, plan=plan)
