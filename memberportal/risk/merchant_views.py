"""Merchant backend: the risk flags (managers, the owner), freezes, and the owner's thresholds."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from memberportal.core.auth import role_required
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.members.queries import member_by_id
from memberportal.risk import freezes, queries, services
from memberportal.risk.forms import FreezeForm, ReviewForm, ThresholdsForm, UnfreezeForm

bp = Blueprint("risk", __name__, url_prefix="/risk")


def review_form(flag_id: int, *, blank: bool = False) -> ReviewForm:
    """One form per flag; the prefix keeps each row's field ids apart."""
    kwargs = {"formdata": None} if blank else {}
    return ReviewForm(prefix=f"flag-{flag_id}", **kwargs)


def index_page(failed: ReviewForm | None = None, failed_id: int | None = None, status=200):
    rows = queries.open_flags()
    forms = {flag.id: review_form(flag.id, blank=True) for flag, _m in rows}
    if failed_id in forms:
        forms[failed_id] = failed
    elif failed is not None:  # no longer open (reviewed meanwhile): say so above the list
        for message in failed.note.errors:
            flash(message, "error")
    return render(
        "merchant/risk/index.html", rows=rows, forms=forms, frozen=queries.frozen_members(),
        unfreeze_form=UnfreezeForm(formdata=None), thresholds=services.thresholds(),
        status=status,
    )  # fmt: skip


@bp.get("/")
@role_required("risk.review")
def index():
    # Opening the page scans what arrived since the last scan, so it is never behind.
    services.scan(now=utcnow())
    return index_page()


@bp.route("/flags/<int:flag_id>/review", methods=["GET", "POST"])
@role_required("risk.review")
def review(flag_id: int):
    if queries.flag_by_id(flag_id) is None:
        abort(404)
    form = review_form(flag_id)
    if not form.is_submitted():  # a reload after an error: back to the list
        return redirect(url_for("merchant.risk.index"), 303)
    if form.validate():
        try:
            services.review_flag(flag_id, form.note.data, actor=current_user, now=utcnow())
        except DomainError as error:
            form.note.errors.append(str(error.message))
        else:
            flash(_("Flag marked reviewed."), "success")
            return redirect_after_post(url_for("merchant.risk.index"))
    return index_page(form, flag_id, status=422)


def _member_or_404(member_id: int):
    member = member_by_id(member_id)
    if member is None:
        abort(404)
    return member


@bp.route("/members/<int:member_id>/freeze", methods=["GET", "POST"])
@role_required("risk.review")
def freeze(member_id: int):
    member = _member_or_404(member_id)
    form = FreezeForm()
    if form.validate_on_submit():
        try:
            freezes.freeze_member(member.id, form.reason.data, actor=current_user, now=utcnow())
        except DomainError as error:
            form.reason.errors.append(str(error.message))
        else:
            flash(_("Account frozen: the member cannot spend points until it is unfrozen."),
                  "success")  # fmt: skip
            return redirect_after_post(url_for("merchant.risk.index"))
    status = 422 if form.errors else 200
    return render("merchant/risk/freeze.html", member=member, form=form, status=status)


@bp.route("/members/<int:member_id>/unfreeze", methods=["GET", "POST"])
@role_required("risk.review")
def unfreeze(member_id: int):
    member = _member_or_404(member_id)
    form = UnfreezeForm()
    if not form.is_submitted():  # a reload: back to the page the button lives on
        return redirect(url_for("merchant.risk.index"), 303)
    if form.validate_on_submit():
        try:
            freezes.unfreeze_member(member.id, actor=current_user, now=utcnow())
        except DomainError as error:
            flash(str(error.message), "error")
        else:
            flash(_("Account unfrozen: the member can spend points again."), "success")
    return redirect_after_post(url_for("merchant.risk.index"))


@bp.route("/rules", methods=["GET", "POST"])
@role_required("risk.rules")
def rules():
    current = services.thresholds()
    form = ThresholdsForm(
        data={
            "big_purchase": f"{current.big_purchase_cents / 100:.2f}",
            "daily_purchases": current.daily_purchases,
            "refund_rate_pct": current.refund_rate_pct,
            "referrals_per_day": current.referrals_per_day,
        }
    )
    if form.validate_on_submit():
        try:
            services.update_thresholds(
                big_purchase_cents=form.big_purchase_cents(),
                daily_purchases=form.daily_purchases.data,
                refund_rate_pct=form.refund_rate_pct.data,
                referrals_per_day=form.referrals_per_day.data,
                actor=current_user, now=utcnow(),
            )  # fmt: skip
        except DomainError as error:
            field = getattr(error, "field", None) or "big_purchase"
            getattr(form, field).errors.append(str(error.message))
        else:
            flash(_("Risk thresholds saved."), "success")
            return redirect_after_post(url_for("merchant.risk.rules"))
    status = 422 if form.errors else 200
    return render("merchant/risk/rules.html", form=form, status=status)
