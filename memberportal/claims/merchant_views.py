"""Cashiers, managers and the owner: the queue of claims, the receipt, approve or reject."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from memberportal.claims import queries, services
from memberportal.claims.forms import ApproveForm, RejectForm
from memberportal.claims.views import receipt_response
from memberportal.core.auth import role_required
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render

bp = Blueprint("claims", __name__, url_prefix="/claims")


@bp.get("/")
@role_required("claims.decide")
def index():
    return render(
        "merchant/claims/index.html",
        pending=queries.pending_claims(),
        decided=queries.decided_claims(),
    )


def _detail(claim_id: int, *, approve=None, reject=None, error=None, status=200):
    row = queries.staff_claim_or_404(claim_id)
    return render(
        "merchant/claims/detail.html", row=row, claim=row.claim,
        approve_form=approve or ApproveForm(), reject_form=reject or RejectForm(),
        error=error, status=status,
    )  # fmt: skip


@bp.get("/<int:claim_id>")
@role_required("claims.decide")
def detail(claim_id: int):
    return _detail(claim_id)


@bp.get("/<int:claim_id>/receipt")
@role_required("claims.decide")
def receipt(claim_id: int):
    return receipt_response(queries.staff_claim_or_404(claim_id).claim.receipt)


@bp.route("/<int:claim_id>/approve", methods=["GET", "POST"])
@role_required("claims.decide")
def approve(claim_id: int):
    queries.staff_claim_or_404(claim_id)
    if request.method == "GET":  # a reload after an error: back to the claim
        return redirect(url_for("merchant.claims.detail", claim_id=claim_id), 303)
    form = ApproveForm()
    if not form.validate_on_submit():
        return _detail(claim_id, approve=form, status=422)
    try:
        result = services.approve_claim(claim_id, actor=current_user, now=utcnow())
    except DomainError as error:
        return _detail(claim_id, error=str(error.message), status=error.status)
    flash(_("Claim approved: the purchase is recorded and earned %(n)s points.",
            n=result.points_earned), "success")  # fmt: skip
    return redirect_after_post(url_for("merchant.claims.index"))


@bp.route("/<int:claim_id>/reject", methods=["GET", "POST"])
@role_required("claims.decide")
def reject(claim_id: int):
    queries.staff_claim_or_404(claim_id)
    if request.method == "GET":  # a reload after an error: back to the claim
        return redirect(url_for("merchant.claims.detail", claim_id=claim_id), 303)
    form = RejectForm()
    if not form.validate_on_submit():
        return _detail(claim_id, reject=form, status=422)
    try:
        services.reject_claim(claim_id, form.reason.data, actor=current_user, now=utcnow())
    except DomainError as error:
        form.reason.errors.append(str(error.message))
        return _detail(claim_id, reject=form, status=error.status)
    flash(_("Claim rejected; the member sees your reason."), "success")
    return redirect_after_post(url_for("merchant.claims.index"))
