"""The member's side of the paid membership: plans, checkout, status, cancelling."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from memberportal.core.auth import member_required
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.memberships import queries, services
from memberportal.memberships.forms import CancelForm, JoinForm, PayForm
from memberportal.payments.gateway import get_gateway

bp = Blueprint("memberships", __name__, url_prefix="/membership")


@bp.app_context_processor
def card_helpers():
    """For the member card's badge: the benefits in force right now."""
    return {"paid_membership": lambda member: queries.active_benefits(member.id, utcnow())}


def _plans_page(status: int = 200):
    return render(
        "memberships/plans.html",
        status=status,
        plans=queries.plans_on_sale(),
        membership=queries.latest_membership_for_member(current_user.id),
        benefits=queries.active_benefits(current_user.id, utcnow()),
        returning=queries.has_had_membership(current_user.id),
        join_form=JoinForm(),
        cancel_form=CancelForm(),
    )


@bp.get("/")
@member_required
def plans():
    return _plans_page()


@bp.route("/join/<code>", methods=["GET", "POST"])
@member_required
def join(code: str):
    if request.method == "GET":  # a reload after an error: back to the plans
        return redirect(url_for(".plans"), 303)
    if not JoinForm().validate_on_submit():
        abort(400)
    try:
        claim = services.claim_checkout(current_user.id, code)
    except DomainError as error:
        flash(str(error.message), "error")
        return _plans_page(error.status)
    checkout = claim.checkout
    if not claim.created:  # a second click: continue the checkout already open
        if checkout.url:
            return redirect(checkout.url, code=303)
        flash(_("Your checkout is being prepared. Please try again in a moment."), "info")
        return redirect_after_post(url_for(".plans"))
    try:
        session_id, url = get_gateway().start_checkout(
            checkout=checkout,
            plan=checkout.plan,
            email=current_user.email,
            success_url=url_for(".returned", _external=True),
            cancel_url=url_for(".plans", _external=True),
            first_period_discount=not queries.has_had_membership(current_user.id),
        )
    except Exception:
        current_app.logger.exception("starting a checkout failed")
        services.abandon_checkout(checkout.id, current_user.id)
        flash(_("The payment page could not be opened. Please try again."), "error")
        return _plans_page(502)
    services.attach_session(checkout.id, session_id, url)
    return redirect(url, code=303)


@bp.get("/return")
@member_required
def returned():
    checkout = queries.checkout_for_member(current_user.id, request.args.get("session_id", ""))
    if checkout is None:
        abort(404)
    membership = queries.membership_for_checkout(checkout)
    return render(
        "memberships/return.html",
        "memberships/_return_status.html",
        checkout=checkout,
        membership=membership,
    )


@bp.route("/cancel", methods=["GET", "POST"])
@member_required
def cancel():
    if request.method == "GET":  # a reload after an error: back to the plans
        return redirect(url_for(".plans"), 303)
    if not CancelForm().validate_on_submit():
        abort(400)
    try:
        services.request_cancel(current_user.id, gateway=get_gateway(), actor=current_user)
    except DomainError as error:
        flash(str(error.message), "error")
        return _plans_page(error.status)
    flash(_("Your membership will not renew. It stays active until the end of the period."), "ok")
    return redirect_after_post(url_for(".plans"))


# --- the built-in checkout of demo mode ----------------------------------------------------


def _demo_checkout_or_404(session_id: str):
    if current_app.config["PAYMENTS_MODE"] != "demo":
        abort(404)
    checkout = queries.checkout_for_member(current_user.id, session_id)
    if checkout is None:
        abort(404)
    return checkout


@bp.get("/demo-checkout/<session_id>")
@member_required
def demo_checkout(session_id: str):
    checkout = _demo_checkout_or_404(session_id)
    return render(
        "memberships/demo_checkout.html",
        checkout=checkout,
        plan=checkout.plan,
        due_cents=queries.first_charge_cents(checkout.plan, current_user.id),
        form=PayForm(),
    )


@bp.post("/demo-checkout/<session_id>/pay")
@member_required
def demo_pay(session_id: str):
    checkout = _demo_checkout_or_404(session_id)
    if not PayForm().validate_on_submit():
        abort(400)
    if checkout.state == "open":
        get_gateway().pay(session_id, plan=checkout.plan)
    return redirect_after_post(url_for(".returned", session_id=session_id))


@bp.post("/demo-checkout/<session_id>/cancel")
@member_required
def demo_cancel(session_id: str):
    checkout = _demo_checkout_or_404(session_id)
    if not PayForm().validate_on_submit():
        abort(400)
    services.abandon_checkout(checkout.id, current_user.id)
    return redirect_after_post(url_for(".plans"))
