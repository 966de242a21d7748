"""The member's stored value: balance (principal and bonus apart), top-up plans, history, the
code to pay at the counter; top-up through the gateway (demo mode: an offline checkout page
that sends signed events to the same webhook)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from memberportal.core.auth import member_required
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.payments.gateway import get_gateway
from memberportal.wallet import payments, queries
from memberportal.wallet.forms import PostForm

bp = Blueprint("wallet", __name__, url_prefix="/wallet")


@bp.get("/")
@member_required
def index():
    member_id = current_user.id
    topup_id = request.args.get("topup", type=int)
    before = request.args.get("before", type=int)
    entries = queries.history_for_member(member_id, before_id=before)
    return render(
        "wallet/index.html",
        "wallet/_history_rows.html" if before else None,
        wallet=queries.wallet_of(member_id),
        plans=queries.plans_on_sale(utcnow()),
        entries=entries,
        more=len(entries) == queries.HISTORY_PAGE,
        topup=queries.topup_for_member(topup_id, member_id) if topup_id else None,
        benefits_held=queries.tier_benefits_held(member_id, current_user.tier_id),
        labels=history_labels(),
        form=PostForm(),
    )


@bp.route("/plans/<int:plan_id>/topup", methods=["GET", "POST"])
@member_required
def topup(plan_id: int):
    if request.method == "GET":  # a reload of the form's address: back to the wallet
        return redirect(url_for("wallet.index"), 303)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        started, url = payments.begin_topup(
            plan_id, current_user.id, now=utcnow(),
            success_url=lambda topup_id: url_for("wallet.index", topup=topup_id, _external=True),
            cancel_url=url_for("wallet.index", _external=True),
        )  # fmt: skip
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect_after_post(url_for("wallet.index"))
    if current_app.config["PAYMENTS_MODE"] == "demo":
        url = url_for("wallet.demo_payment", session_id=started.checkout_session_id)
    return redirect_after_post(url)


def _demo_topup_or_404(session_id: str):
    if current_app.config["PAYMENTS_MODE"] != "demo":
        abort(404)
    found = queries.topup_by_session(session_id, current_user.id)
    if found is None:
        abort(404)
    return found


@bp.get("/demo-payment/<session_id>")
@member_required
def demo_payment(session_id: str):
    """The offline stand-in for Stripe's payment page (demo mode only)."""
    return render("wallet/demo_payment.html", topup=_demo_topup_or_404(session_id), form=PostForm())


@bp.route("/demo-payment/<session_id>/<any(pay, abandon):step>", methods=["GET", "POST"])
@member_required
def demo_payment_step(session_id: str, step: str):
    found = _demo_topup_or_404(session_id)
    if request.method == "GET":
        return redirect(url_for("wallet.demo_payment", session_id=session_id), 303)
    if not PostForm().validate_on_submit():
        abort(400)
    gateway = get_gateway()
    if step == "pay":
        gateway.pay_payment(session_id)
    else:
        gateway.expire_payment(session_id)
    return redirect_after_post(url_for("wallet.index", topup=found.id))


def history_labels() -> dict[str, str]:
    """How each movement is explained to the member."""
    return {
        "topup": _("Top-up"),
        "spend": _("Paid at the store"),
        "spend_refund": _("Payment refunded"),
        "topup_refund": _("Top-up refunded: unspent principal returned, bonus forfeited"),
        "chargeback": _("Top-up reversed by your bank: unspent principal and bonus removed"),
    }
