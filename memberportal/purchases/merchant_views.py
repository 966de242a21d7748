"""Cashier: the till (look up, one checkout screen), purchases, refunds with a reason."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from memberportal.core.auth import role_required
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.core.money import InvalidAmount, format_cents, parse_cents
from memberportal.members import queries as member_queries
from memberportal.members.queries import member_by_id
from memberportal.purchases import queries, services
from memberportal.purchases.errors import DuplicatePurchase, DuplicateRefund
from memberportal.purchases.forms import CheckoutForm, RefundForm
from memberportal.purchases.rules import new_order_ref

bp = Blueprint("purchases", __name__, url_prefix="/purchases")

# The coupon's refusals, as the cashier reads them beside the coupon list.
COUPON_PROBLEMS = {
    "unknown": lambda: _("This coupon is not the member's."),
    "used": lambda: _("This coupon was already used."),
    "void": lambda: _("This coupon was cancelled with its points-mall order."),
    "expired": lambda: _("This coupon has expired."),
    "min_spend": lambda: _("The order does not reach this coupon's minimum spend."),
}


def _coupons(member_id: int):
    from memberportal.coupons import queries as coupon_queries

    return coupon_queries.coupons_for_member(member_id, utcnow()).usable


def _checkout_form(member_id: int, formdata=None) -> CheckoutForm:
    form = CheckoutForm(formdata=formdata) if formdata is not None else CheckoutForm()
    coupons = _coupons(member_id)
    form.coupon.choices = [(0, _("No coupon"))] + [(c.id, c.name) for c in coupons]
    form.usable_coupons = coupons
    if not form.order_ref.data:
        form.order_ref.data = new_order_ref(utcnow())
    return form


def member_page(member, *, checkout_form=None, adjust_form=None, refund_error=None,
                refund_confirm=None, large=None, status=200):  # fmt: skip
    from memberportal.memberships.queries import active_benefits
    from memberportal.points.forms import AdjustForm

    form = checkout_form or _checkout_form(member.id, formdata=None)
    return render(
        "merchant/purchases/member.html",
        member=member,
        checkout_form=form,
        card=active_benefits(member.id, utcnow()),
        discount=queries.discount_now(member.id, utcnow()),
        quote=_quote_of(member.id, form),
        large=large,
        adjust_form=adjust_form or AdjustForm(formdata=None),
        refund_form=RefundForm(formdata=None),
        refund_confirm=refund_confirm,
        purchases=queries.purchases_for_member(member.id),
        refund_error=refund_error,
        status=status,
    )


def _member_or_404(member_id: int):
    member = member_by_id(member_id)
    if member is None:
        abort(404)
    return member


def _quote_of(member_id: int, form: CheckoutForm):
    """The bill for what the form holds, or None while the amount is not a valid one."""
    try:
        cents = parse_cents(form.amount.data or "")
        return services.quote(member_id, cents, coupon_id=form.coupon.data or None, now=utcnow())
    except (InvalidAmount, DomainError):
        return None


@bp.get("/till")
@role_required("purchases.record")
def till():
    """Scan or type the member's code: an exact match opens the checkout at once."""
    text = (request.args.get("q") or "").strip()
    found = member_queries.lookup_member(text, utcnow()) if text else None
    if found and found.member:
        typed = {"typed": 1} if found.via == "member_no" else {}
        return redirect(url_for("merchant.purchases.member", member_id=found.member.id, **typed))
    results = member_queries.search_members(text) if text and not found.expired else []
    return render("merchant/purchases/till.html", query=text, results=results,
                  expired=bool(found and found.expired))  # fmt: skip


@bp.get("/member/<int:member_id>")
@role_required("purchases.record")
def member(member_id: int):
    return member_page(_member_or_404(member_id))


@bp.route("/member/<int:member_id>/quote", methods=["GET", "POST"])
@role_required("purchases.record")
def quote(member_id: int):
    """The bill as the cashier types (htmx): discount, coupon, to pay, points."""
    member = _member_or_404(member_id)
    if request.method == "GET":  # a reload: back to the checkout
        return redirect(url_for("merchant.purchases.member", member_id=member.id), 303)
    form = _checkout_form(member.id, formdata=request.form)
    return render(
        "merchant/purchases/_quote.html",
        "merchant/purchases/_quote.html",
        member=member,
        quote=_quote_of(member.id, form),
    )


@bp.post("/member/<int:member_id>")
@role_required("purchases.record")
def record(member_id: int):
    member = _member_or_404(member_id)
    form = _checkout_form(member.id)
    if not form.validate_on_submit():
        return member_page(member, checkout_form=form, status=422)
    try:
        cents = parse_cents(form.amount.data)
    except DomainError as error:
        form.amount.errors.append(str(error.message))
        return member_page(member, checkout_form=form, status=422)
    coupon_id = form.coupon.data or None
    planned = _quote_of(member.id, form)
    if planned and planned.coupon_problem:
        form.coupon.errors.append(COUPON_PROBLEMS[planned.coupon_problem]())
        return member_page(member, checkout_form=form, status=422)
    large = _large(planned)
    if large and form.confirm_large.data != "yes":
        return member_page(member, checkout_form=form, large=large, status=200)
    try:
        result = services.checkout(
            member.id, cents, form.order_ref.data, coupon_id=coupon_id, actor=current_user,
            now=utcnow(), note=form.note.data,
        )  # fmt: skip
    except DuplicatePurchase as error:
        form.order_ref.errors.append(str(error.message))
    except DomainError as error:
        if error.code in ("invalid_amount", "invalid"):
            form.amount.errors.append(str(error.message))
        elif error.code.startswith("coupon"):
            form.coupon.errors.append(str(error.message))
        else:
            form.order_ref.errors.append(str(error.message))
    else:
        flash(_receipt(result), "success")
        return redirect_after_post(url_for("merchant.purchases.member", member_id=member.id))
    return member_page(member, checkout_form=form, status=422)


def _large(planned) -> str | None:
    """The amount to confirm when what is paid is above the owner's big-purchase threshold."""
    from memberportal.risk import rules as risk_rules
    from memberportal.risk import services as risk

    if planned is None:
        return None
    limit = risk.thresholds().big_purchase_cents
    if risk_rules.is_big_purchase(planned.bill.paid_cents, limit):
        return format_cents(planned.bill.paid_cents)
    return None


def _receipt(result) -> str:
    bill = result.bill
    parts = [_("Paid %(paid)s of %(order)s.", paid=format_cents(bill.paid_cents),
               order=format_cents(bill.order_cents))]  # fmt: skip
    if bill.discount_cents and bill.discount_kind == "member_day":
        parts.append(_("Member day discount %(off)s.", off=format_cents(bill.discount_cents)))
    elif bill.discount_cents:
        parts.append(_("Card discount %(off)s.", off=format_cents(bill.discount_cents)))
    if bill.coupon_taken_cents:
        parts.append(_("Coupon %(off)s.", off=format_cents(bill.coupon_taken_cents)))
    if result.purchase:
        parts.append(_(
            "Purchase recorded: %(points)s points earned, balance %(balance)s.",
            points=result.purchase.points_earned, balance=result.purchase.balance,
        ))  # fmt: skip
        if result.purchase.tier_changed:
            parts.append(_("New tier: %(tier)s.", tier=result.purchase.tier_code))
    return " ".join(parts)


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
    reason = (form.reason.data or "").strip()
    if not text or not reason:
        message = _(
            "Enter the amount to refund for %(ref)s (at most %(left)s) and the reason.",
            ref=purchase.order_ref,
            left=format_cents(purchase.refundable_cents),
        )
        return member_page(member, refund_error=message, status=422)
    try:
        cents = parse_cents(text)
        points, growth = services.refund_quote(purchase, cents)
    except DomainError as error:
        message = _("%(ref)s: %(problem)s", ref=purchase.order_ref, problem=error.message)
        return member_page(member, refund_error=message, status=422)
    if form.confirmed.data != "yes":
        confirm = {
            "purchase": purchase, "amount": text, "amount_cents": cents, "reason": reason,
            "points": points, "growth": growth, "request_key": form.request_key.data,
        }  # fmt: skip
        return member_page(member, refund_confirm=confirm)
    try:
        result = services.record_refund(
            purchase_id, cents, refund_ref=f"desk-{form.request_key.data}",
            actor=current_user, now=utcnow(), reason=reason,
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
