"""The member's notification centre, channel choices and the e-mail unsubscribe link."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from memberportal.core.auth import member_required
from memberportal.core.clock import utcnow
from memberportal.core.htmx import redirect_after_post, render
from memberportal.core.i18n import current_language
from memberportal.notifications import messages, queries, services
from memberportal.notifications.channels import read_unsubscribe_token
from memberportal.notifications.forms import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    ChoicesForm,
    MarkReadForm,
)
from memberportal.notifications.models import CATEGORIES, CHANNELS

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
PAGE = 20


@bp.route("/")
@member_required
def index():
    before = request.args.get("before", type=int)
    rows = queries.notifications_for_member(current_user.id, before=before, limit=PAGE)
    return render(
        "notifications/index.html", "notifications/_rows.html",
        rows=rows, messages=messages, form=MarkReadForm(),
        more=rows[-1].id if len(rows) == PAGE else None,
    )  # fmt: skip


@bp.route("/read", methods=["POST"])
@bp.route("/<int:notification_id>/read", methods=["POST"])
@member_required
def mark_read(notification_id: int | None = None):
    form = MarkReadForm()
    if form.validate_on_submit():
        services.mark_read(current_user.id, now=utcnow(), notification_id=notification_id)
    return redirect_after_post(url_for("notifications.index"))


@bp.route("/choices", methods=["GET", "POST"])
@member_required
def choices():
    form = ChoicesForm()
    if request.method == "GET":
        for (category, channel), enabled in queries.choices_for_member(current_user.id).items():
            form[f"{category}_{channel}"].data = enabled
        form.language.data = queries.language_for_member(current_user.id) or current_language()
    elif form.validate_on_submit():
        services.save_choices(current_user.id, form.chosen(), form.language.data)
        flash(_("Your notification choices are saved."), "success")
        return redirect_after_post(url_for("notifications.choices"))
    return render(
        "notifications/choices.html", form=form, categories=CATEGORIES, channels=CHANNELS,
        category_labels=CATEGORY_LABELS, channel_labels=CHANNEL_LABELS,
        status=422 if form.errors else 200,
    )  # fmt: skip


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """The link in every e-mail: confirm, then stop e-mails of that category. The signed
    token says whose and which; no sign-in needed (a GET changes nothing)."""
    found = read_unsubscribe_token(token)
    if found is None or found[1] not in CATEGORIES:
        abort(404)
    member_id, category = found
    form = MarkReadForm()
    done = False
    if request.method == "POST" and form.validate_on_submit():
        services.unsubscribe(member_id, category)
        done = True
    return render(
        "notifications/unsubscribe.html", form=form, done=done,
        category=CATEGORY_LABELS[category],
    )  # fmt: skip
