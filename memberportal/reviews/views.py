"""The member's purchases, and the review of one of them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from memberportal.core.auth import member_required
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError, NotFound
from memberportal.core.htmx import redirect_after_post, render
from memberportal.reviews import queries, services
from memberportal.reviews.forms import ReviewForm

bp = Blueprint("reviews", __name__, url_prefix="/purchases")


@bp.get("/")
@member_required
def index():
    return render("reviews/index.html", lines=queries.purchases_for_member(current_user.id))


def _earned(result) -> str:
    if not result.growth:
        return _("Thank you for your review.")
    text = _("Review posted: +%(n)s growth.", n=result.growth)
    if result.tier_changed:
        text += " " + _("You moved up to %(tier)s!", tier=result.tier_changed.new)
    return text


@bp.route("/<int:purchase_id>/review", methods=["GET", "POST"])
@member_required
def review(purchase_id: int):
    line = queries.member_purchase_or_404(current_user.id, purchase_id)
    if line.review is not None and request.method == "GET":  # shown on the list
        return redirect(url_for("reviews.index", _anchor=f"purchase-{purchase_id}"), 303)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            result = services.review_purchase(
                current_user.id, purchase_id, form.rating.data, form.text.data,
                actor=current_user, now=utcnow(),
            )  # fmt: skip
        except NotFound:
            abort(404)
        except DomainError as error:
            getattr(form, getattr(error, "field", "text")).errors.append(str(error.message))
        else:
            flash(_earned(result), "success")
            return redirect_after_post(url_for("reviews.index", _anchor=f"purchase-{purchase_id}"))
    status = 422 if form.errors else 200
    return render("reviews/review.html", "reviews/_form.html", status=status, form=form, line=line)
