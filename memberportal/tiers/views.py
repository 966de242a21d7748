"""The member's interactions: the daily sign-in on the card, and the profile page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from memberportal.core.auth import member_required
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import is_htmx, redirect_after_post, render
from memberportal.extensions import db
from memberportal.members.views import card_context
from memberportal.tiers import interactions
from memberportal.tiers.forms import ProfileForm, SignInForm
from memberportal.tiers.queries import interaction_status

bp = Blueprint("tiers", __name__)


def _card(message: str, kind: str, status: int):
    """The card page (or, for htmx, its interactions panel) with a message."""
    db.session.expire_all()  # counters changed by SQL updates; show the committed figures
    context = card_context(current_user)
    return render(
        "members/card.html", "tiers/_interactions.html", status=status,
        message=message, message_kind=kind, oob=is_htmx(), **context,
    )  # fmt: skip


def _earned(result) -> str:
    if not result.growth and not result.points:
        return _("Checked in.")
    text = _("Checked in: +%(p)s points, +%(n)s growth.", p=result.points, n=result.growth)
    if result.bonus:
        text += " " + _("%(days)s days in a row: streak bonus included!", days=result.streak)
    if result.tier_changed:
        text += " " + _("You moved up to %(tier)s!", tier=result.tier_changed.new)
    return text


@bp.route("/card/sign-in", methods=["GET", "POST"])
@member_required
def sign_in():
    if request.method == "GET":  # a reload after an error: back to the card
        return redirect(url_for("members.card"), 303)
    form = SignInForm()
    if not form.validate_on_submit():
        return _card(_("Please try again."), "error", 422)
    try:
        result = interactions.sign_in(current_user.id, actor=current_user, now=utcnow())
    except DomainError as error:
        return _card(str(error.message), "error", error.status)
    if is_htmx():
        return _card(_earned(result), "success", 200)
    flash(_earned(result), "success")
    return redirect_after_post(url_for("members.card"))


@bp.route("/profile", methods=["GET", "POST"])
@member_required
def profile():
    form = ProfileForm(obj=current_user)
    status = 200
    if form.validate_on_submit():
        try:
            birthday = current_user.birthday or form.birthday.data
            result = interactions.save_profile(
                current_user.id, form.name.data, birthday, actor=current_user, now=utcnow()
            )
        except DomainError as error:
            field = form.birthday if "birthday" in error.code else form.name
            field.errors.append(str(error.message))
        else:
            flash(_("Profile saved."), "success")
            if result.growth:
                flash(_("Profile completed: +%(n)s growth.", n=result.growth), "success")
            return redirect_after_post(url_for("members.card"))
    if form.errors:
        status = 422
    done = interaction_status(current_user.id, utcnow())
    return render("tiers/profile.html", form=form, interactions=done, status=status)
