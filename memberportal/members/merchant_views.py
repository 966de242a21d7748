"""Staff: look a member up by scanning the card or typing a number."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from memberportal.core.auth import current_staff_can, role_required
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import is_htmx, redirect_after_post, render
from memberportal.members import queries, services
from memberportal.members.forms import BirthdayForm, LookupForm

bp = Blueprint("members", __name__, url_prefix="/members")
RECENT_ORDERS = 5


@bp.get("/")
@role_required("members.lookup")
def lookup():
    form = LookupForm(request.args)
    text = (form.q.data or "").strip()
    found = queries.lookup_member(text, utcnow()) if text else None
    # A scanned card or an exact number goes straight to the member (not for live search).
    if found and found.member and not is_htmx():
        typed = {"typed": 1} if found.via == "member_no" else {}
        return redirect(url_for("merchant.members.detail", member_id=found.member.id, **typed))
    results = queries.search_members(text) if text and not found.expired else []
    return render(
        "merchant/members/lookup.html",
        "merchant/members/_results.html",
        form=form,
        query=text,
        results=results,
        expired=bool(found and found.expired),
    )


@bp.get("/<int:member_id>")
@role_required("members.view")
def detail(member_id: int):
    member = queries.member_by_id(member_id)
    if member is None:
        abort(404)
    return _detail(member)


def _detail(member, birthday_form=None, status=200):
    form = birthday_form or BirthdayForm(formdata=None, birthday=member.birthday)
    return render("merchant/members/detail.html", member=member, birthday_form=form,
                  status=status, **_summary(member.id))  # fmt: skip


@bp.route("/<int:member_id>/birthday", methods=["GET", "POST"])
@role_required("members.correct_birthday")
def correct_birthday(member_id: int):
    """A manager or the owner corrects a birthday the member set wrong (audited)."""
    member = queries.member_by_id(member_id)
    if member is None:
        abort(404)
    if request.method == "GET":  # a reload after an error: back to the member
        return redirect(url_for("merchant.members.detail", member_id=member_id), 303)
    form = BirthdayForm()
    if form.validate_on_submit():
        try:
            services.correct_birthday(
                member_id, form.birthday.data, form.reason.data, actor=current_user
            )
        except DomainError as error:
            form.birthday.errors.append(str(error.message))
        else:
            flash(_("Birthday corrected."), "success")
            return redirect_after_post(url_for("merchant.members.detail", member_id=member_id))
    return _detail(member, birthday_form=form, status=422)


def _summary(member_id: int) -> dict:
    """The paid card, coupons to use, the latest mall orders and how many friends the member
    referred, read through their areas' queries."""
    from memberportal.coupons import queries as coupon_queries
    from memberportal.mall import queries as mall_queries
    from memberportal.mall.rules import STATUS_LABELS as ORDER_LABELS
    from memberportal.memberships import queries as membership_queries
    from memberportal.memberships.models import STATUS_LABELS as MEMBERSHIP_LABELS
    from memberportal.referrals import queries as referral_queries
    from memberportal.tiers import queries as tier_queries

    orders, coupons = [], []
    if current_staff_can("coupons.write_off"):
        coupons = coupon_queries.coupons_for_member(member_id, utcnow()).usable
    if current_staff_can("orders.fulfil"):
        orders = mall_queries.orders_for_member(member_id, limit=RECENT_ORDERS)
    return {
        "membership": membership_queries.latest_membership_for_member(member_id),
        "membership_label": lambda code: MEMBERSHIP_LABELS.get(code, code),
        "orders": orders,
        "coupons": coupons,
        "order_label": lambda code: ORDER_LABELS.get(code, code),
        "referred_count": referral_queries.referred_by(member_id),
        "tier_moves": tier_queries.tier_history(member_id),
    }
