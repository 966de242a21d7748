"""Merchant backend for stored value: the counter (all staff: take a payment, refund one), a
member's wallet, top-up plans and the tier option (owner), top-up refunds (owner) and the
liability page (owner)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from memberportal.core.auth import role_required
from memberportal.core.clock import local_date, start_of_day, utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.members.queries import find_member, member_by_id, search_members
from memberportal.tiers.queries import all_tiers
from memberportal.wallet import payments, plans, queries, rules, services
from memberportal.wallet.errors import PlanRuleBroken
from memberportal.wallet.forms import (
    CounterLookupForm,
    CounterPayForm,
    PlanForm,
    PostForm,
    SettingsForm,
    SpendRefundForm,
)
from memberportal.wallet.views import history_labels

bp = Blueprint("wallet", __name__, url_prefix="/wallet")
COUNTER = "counter"


def _member_or_404(member_id: int):
    member = member_by_id(member_id)
    if member is None:
        abort(404)
    return member


# --- the counter ----------------------------------------------------------------------------


@bp.get("/counter")
@role_required("wallet.spend")
def counter():
    """Type or scan the member's code and the amount; the confirmation shows how the payment
    splits before the cashier confirms."""
    lookup = CounterLookupForm(request.args)
    member = preview = error = None
    matches = []
    if lookup.code.data:
        member = find_member(lookup.code.data)
        if member is None:
            # Part of a phone, number or name, as at the till: pick from the matches.
            matches = search_members(lookup.code.data)
            error = None if matches else _("No member matches this code.")
    if member is not None and lookup.validate() and lookup.amount.cents:
        wallet = queries.wallet_of(member.id)
        if wallet.total_cents >= lookup.amount.cents:
            preview = rules.split_spend(
                lookup.amount.cents, wallet.principal_cents, wallet.bonus_cents
            )
    form = CounterPayForm(formdata=None, member_id=member.id if member else None,
                          amount=lookup.amount.data, order_ref=uuid.uuid4().hex)  # fmt: skip
    return _counter_page(lookup, member, form, preview=preview, error=error, matches=matches)


def _counter_page(lookup, member, form, *, preview=None, error=None, status=200, matches=()):
    return render(
        "merchant/wallet/counter.html",
        lookup=lookup,
        member=member,
        matches=matches,
        wallet=queries.wallet_of(member.id) if member else None,
        form=form,
        preview=preview,
        error=error,
        status=status,
    )


@bp.post("/counter")
@role_required("wallet.spend")
def pay():
    form = CounterPayForm()
    member = (
        member_by_id(int(form.member_id.data)) if (form.member_id.data or "").isdigit() else None
    )
    if member is None:
        abort(400)
    lookup = CounterLookupForm(formdata=None, code=member.member_no, amount=form.amount.data)
    if not form.validate_on_submit():
        return _counter_page(lookup, member, form, status=422)
    try:
        spent = services.spend(
            member.id, form.amount.cents, source=COUNTER, order_ref=form.order_ref.data,
            actor=current_user, now=utcnow(),
        )  # fmt: skip
    except DomainError as error:
        return _counter_page(lookup, member, form, error=str(error.message), status=422)
    flash(_("Paid %(amount)s from the stored balance.", amount=_money(spent.amount_cents)))
    return redirect_after_post(url_for("merchant.wallet.member", member_id=member.id))


def _money(cents: int) -> str:
    from memberportal.core.money import format_cents

    return format_cents(cents)


@bp.get("/members/<int:member_id>")
@role_required("wallet.spend")
def member(member_id: int):
    found = _member_or_404(member_id)
    return render(
        "merchant/wallet/member.html",
        member=found,
        wallet=queries.wallet_of(found.id),
        spends=queries.spends_of(found.id),
        topups=queries.topups_of(found.id),
        entries=queries.history_for_member(found.id),
        labels=history_labels(),
        states=topup_state_labels(),
        refund_form=SpendRefundForm(formdata=None, refund_ref=uuid.uuid4().hex),
        form=PostForm(),
    )


@bp.route("/spends/<int:spend_id>/refund", methods=["GET", "POST"])
@role_required("wallet.refund_spend")
def refund_spend(spend_id: int):
    spend = queries.spend_or_none(spend_id)
    if spend is None:
        abort(404)
    if request.method == "GET":  # a reload of the form's address: back to its page
        return redirect(url_for("merchant.wallet.member", member_id=spend.member_id), 303)
    form = SpendRefundForm()
    if not form.validate_on_submit():
        problems = [e for errors in form.errors.values() for e in errors]
        flash(" ".join(str(p) for p in problems) or _("Please check what you entered."), "error")
        return redirect_after_post(url_for("merchant.wallet.member", member_id=spend.member_id))
    try:
        services.refund_spend(
            spend.id, form.amount.cents, refund_ref=form.refund_ref.data,
            reason=form.reason.data, actor=current_user, now=utcnow(),
        )  # fmt: skip
        flash(_("Refunded %(amount)s to the stored balance.", amount=_money(form.amount.cents)))
    except DomainError as error:
        flash(str(error.message), "error")
    return redirect_after_post(url_for("merchant.wallet.member", member_id=spend.member_id))


@bp.route("/topups/<int:topup_id>/refund", methods=["GET", "POST"])
@role_required("wallet.refund_topup")
def refund_topup(topup_id: int):
    if request.method == "GET":
        return _back_to_topup(topup_id)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        topup = payments.refund_topup(topup_id, actor=current_user)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(request.referrer or url_for("merchant.wallet.counter"), 303)
    flash(_("Top-up refunded: %(back)s returned to the card, %(bonus)s bonus forfeited.",
            back=_money(topup.refunded_principal_cents),
            bonus=_money(topup.forfeited_bonus_cents)))  # fmt: skip
    return redirect_after_post(url_for("merchant.wallet.member", member_id=topup.member_id))


@bp.route("/topups/<int:topup_id>/retry-refund", methods=["GET", "POST"])
@role_required("wallet.refund_topup")
def retry_refund(topup_id: int):
    if request.method == "GET":
        return _back_to_topup(topup_id)
    if not PostForm().validate_on_submit():
        abort(400)
    sent = payments.send_topup_refund(topup_id)
    flash(_("Refund requested again.") if sent else _("Nothing to request."))
    return redirect(request.referrer or url_for("merchant.wallet.counter"), 303)


def topup_state_labels() -> dict[str, str]:
    return {
        "pending": _("Awaiting payment"),
        "paid": _("Paid"),
        "expired": _("Not paid"),
        "refunding": _("Refund requested"),
        "refunded": _("Refunded"),
        "charged_back": _("Reversed by the bank"),
    }


# --- plans and the tier option (owner) -------------------------------------------------------


@bp.get("/plans")
@role_required("wallet.plans")
def plan_list():
    current = plans.settings()
    form = SettingsForm(formdata=None, tier_needs_balance=current.tier_needs_balance,
                        tier_ids=sorted(queries.balance_tier_ids()))  # fmt: skip
    form.tier_ids.choices = [SelectChoice(t.id, t.name) for t in all_tiers()]
    return render("merchant/wallet/plans.html", plans=queries.all_plans(), settings_form=form)


def _back_to_topup(topup_id: int):
    topup = queries.topup_or_none(topup_id)
    if topup is None:
        abort(404)
    return redirect(url_for("merchant.wallet.member", member_id=topup.member_id), 303)


@bp.route("/settings", methods=["GET", "POST"])
@role_required("wallet.plans")
def save_settings():
    if request.method == "GET":
        return redirect(url_for("merchant.wallet.plan_list"), 303)
    form = SettingsForm()
    form.tier_ids.choices = [SelectChoice(t.id, t.name) for t in all_tiers()]
    if not form.validate_on_submit():
        abort(400)
    plans.save_settings(bool(form.tier_needs_balance.data), form.tier_ids.data or [],
                        actor=current_user)  # fmt: skip
    flash(_("Saved."))
    return redirect_after_post(url_for("merchant.wallet.plan_list"))


def _plan_form(plan=None) -> PlanForm:
    form = PlanForm(obj=plan) if request.method == "POST" else PlanForm(formdata=None, obj=plan)
    form.min_tier_id.choices = [SelectChoice(0, _("Every tier"))] + [
        SelectChoice(t.id, t.name) for t in all_tiers()
    ]
    if plan is not None and request.method == "GET":
        form.pay.data = f"{plan.pay_cents / 100:.2f}"
        form.bonus.data = f"{plan.bonus_cents / 100:.2f}"
        form.min_tier_id.data = plan.min_tier_id or 0
        form.starts_on.data = local_date(plan.starts_at) if plan.starts_at else None
        form.ends_on.data = local_date(plan.ends_at) - timedelta(days=1) if plan.ends_at else None
    return form


@bp.route("/plans/new", methods=["GET", "POST"], defaults={"plan_id": None})
@bp.route("/plans/<int:plan_id>", methods=["GET", "POST"])
@role_required("wallet.plans")
def plan_form(plan_id: int | None):
    plan = queries.plan_or_none(plan_id) if plan_id else None
    if plan_id and plan is None:
        abort(404)
    form = _plan_form(plan)
    if request.method == "POST" and form.validate_on_submit():
        values = plans.PlanInput(
            name_zh=form.name_zh.data, name_en=form.name_en.data, pay_cents=form.pay.cents,
            bonus_cents=form.bonus.cents or 0, bonus_points=form.bonus_points.data,
            min_tier_id=form.min_tier_id.data or None,
            starts_at=start_of_day(form.starts_on.data) if form.starts_on.data else None,
            ends_at=start_of_day(form.ends_on.data + timedelta(days=1))
            if form.ends_on.data else None,
            active=bool(form.active.data),
        )  # fmt: skip
        try:
            plans.save_plan(plan_id, values, actor=current_user, now=utcnow())
        except PlanRuleBroken as error:
            getattr(form, error.field, form.name_zh).errors = [str(error.message)]
        else:
            flash(_("Saved."))
            return redirect_after_post(url_for("merchant.wallet.plan_list"))
    status = 422 if request.method == "POST" else 200
    return render("merchant/wallet/plan_form.html", form=form, plan=plan, status=status)


# --- liability (owner) -------------------------------------------------------------------------


@bp.get("/liability")
@role_required("wallet.liability")
def liability():
    return render(
        "merchant/wallet/liability.html",
        outstanding=queries.outstanding(),
        months=queries.movement_by_month(local_date(utcnow())),
        labels=history_labels(),
    )
