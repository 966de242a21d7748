"""Owner: staff accounts."""

from __future__ import annotations

from flask import Blueprint, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from memberportal.accounts import services
from memberportal.accounts.forms import StaffForm
from memberportal.accounts.models import StaffUser
from memberportal.core.auth import role_required
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.extensions import db

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.route("/", methods=["GET", "POST"])
@role_required("staff.manage")
def index():
    form = StaffForm()
    if form.validate_on_submit():
        try:
            staff = services.create_staff(
                form.email.data,
                form.name.data,
                form.role.data,
                form.password.data,
                actor=current_user,
            )
        except DomainError as error:
            form.email.errors.append(str(error.message))
        else:
            flash(_("Staff account %(email)s created.", email=staff.email), "success")
            return redirect_after_post(url_for("merchant.staff.index"))
    staff = db.session.scalars(select(StaffUser).order_by(StaffUser.role, StaffUser.email))
    return render(
        "merchant/staff/index.html",
        form=form,
        staff=list(staff),
        status=422 if form.errors else 200,
    )
