"""The member's data rights: download everything, close the account."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from memberportal.core.auth import member_required
from memberportal.core.clock import local_date, utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.privacy import services
from memberportal.privacy.forms import CloseForm, ExportForm

bp = Blueprint("privacy", __name__, url_prefix="/my-data")


@bp.get("/")
@member_required
def index():
    return render("privacy/index.html", export_form=ExportForm(), close_form=CloseForm())


@bp.route("/export", methods=["GET", "POST"])
@member_required
def export():
    if request.method == "GET":  # a reload after an error: back to the data page
        return redirect(url_for("privacy.index"), 303)
    form = ExportForm()
    if not form.validate_on_submit():
        return render("privacy/index.html", export_form=form, close_form=CloseForm(), status=422)
    now = utcnow()
    archive = services.export_data(current_user.id, actor=current_user, now=now)
    name = f"my-data-{current_user.member_no}-{local_date(now).isoformat()}.zip"
    return Response(
        archive, mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"',
                 "Cache-Control": "private, no-store"},
    )  # fmt: skip


@bp.route("/close", methods=["GET", "POST"])
@member_required
def close():
    if request.method == "GET":  # a reload after an error: back to the data page
        return redirect(url_for("privacy.index"), 303)
    form = CloseForm()
    if form.validate_on_submit():
        try:
            photos = services.close_account(
                current_user.id, form.password.data, confirmed=form.confirm.data,
                actor=current_user, now=utcnow(),
            )  # fmt: skip
        except DomainError as error:
            field = getattr(error, "field", None)
            if field:
                getattr(form, field).errors.append(str(error.message))
            else:
                form.form_errors.append(str(error.message))
        else:
            services.delete_unused_receipts(photos)
            logout_user()
            session.clear()
            flash(_("Your account is closed and your personal data erased. Goodbye."), "success")
            return redirect_after_post(url_for("public.home"))
    return render("privacy/index.html", export_form=ExportForm(), close_form=form, status=422)
