"""Cashier: record a member's purchase, list purchases, refund all or part."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from memberportal.core.auth import role_required
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.core.money import format_cents, parse_cents
from memberportal.members.queries import member_by_id
from memberportal.purchases import queries, services
from memberportal.purchases.errors import DuplicateRefund
from memberportal.purchases.forms import PurchaseForm, RefundForm

bp = Blueprint("purchases", __name__, url_prefix="/purchases")


def member_page(member, *, purchase_form=None, adjust_form=None, refund_error=None, status=200):
    from memberportal.points.forms import AdjustForm

    return render(
        "merchant/purchases/member.html",
        member=member,
        purchase_form=purchase_form or PurchaseForm(formdata=None),
        adjust_form=adjust_form or AdjustForm(formdata=None),
        refund_form=RefundForm(formdata=None),
        purchases=queries.purchases_for_member(member.id),
        refund_error=refund_error,
        status=status,
    )


def _member_or_404(member_id: int):
    member = member_by_id(member_id)
    if member is None:
        abort(404)
    return member


@bp.get("/member/<int:member_id>")
@role_required("purchases.record")
def member(member_id: int):
    return member_page(_member_or_404(member_id))


@bp.post("/member/<int:member_id>")
@role_required("purchases.record")
def record(member_id: int):
    member = _member_or_404(member_id)
    form = PurchaseForm()
    if form.validate_on_submit():
        try:
            result = services.record_purchase(
                member.id, parse_cents(form.amount.data), form.order_ref.data, source="till",
                actor=current_user, now=utcnow(), note=form.note.data,
            )  # fmt: skip
        except DomainError as error:
            field = form.amount if error.code in ("invalid_amount", "invalid") else form.order_ref
            field.errors.append(str(error.message))
        else:
            message = _(
                "Purchase recorded: %(points)s points earned, balance %(balance)s.",
                points=result.points_earned, balance=result.balance,
            )  # fmt: skip
            if result.tier_changed:
                message += " " + _("New tier: %(tier)s.", tier=result.tier_code)
            flash(message, "success")
            return redirect_after_post(url_for("merchant.purchases.member", member_id=member.id))
    return member_page(member, purchase_form=form, status=422)


@bp.route("/<int:purchase_id>/refund", methods=["GET", "POST"])
@role_required("purchases.refund")
def refund(purchase_id: int):
    purchase = queries.purchase_by_id(purchase_id)
    if purchase is None:
        abort(404)
    member = _member_or_404(purchase.member_id)
    if request.method == "GET":  # a reload after an error: back to the page the form lives on
        return redirect(url_for("merchant.purchases.member", member_id=member.id), 303)
    form = RefundForm()
    if not form.validate_on_submit():
        return member_page(member, refund_error=_("The form expired"), status=422)
    text = (form.amount.data or "").strip()
    if not text:
        message = _(
            "Enter the amount to refund for %(ref)s (at most %(left)s).",
            ref=purchase.order_ref,
            left=format_cents(purchase.refundable_cents),
        )
        return member_page(member, refund_error=message, status=422)
    try:
        result = services.record_refund(
            purchase_id, parse_cents(text), refund_ref=f"desk-{form.request_key.data}",
            actor=current_user, now=utcnow(),
        )  # fmt: skip
    except DuplicateRefund:
        flash(_("This refund was already recorded."), "success")
        return redirect_after_post(url_for("merchant.purchases.member", member_id=member.id))
    except DomainError as error:
        message = _("%(ref)s: %(problem)s", ref=purchase.order_ref, problem=error.message)
        return member_page(member, refund_error=message, status=422)
    message = _(
        "Refund recorded: %(points)s points taken back, balance %(balance)s.",
        points=result.points_taken, balance=result.balance,
    )  # fmt: skip
    if result.review_growth_taken:
        message += " " + _(
            "Growth taken back: %(growth)s, of which %(review)s the member's review had earned.",
            growth=result.growth_lost, review=result.review_growth_taken,
        )  # fmt: skip
    flash(message, "success")
    return redirect_after_post(url_for("merchant.purchases.member", member_id=member.id))
