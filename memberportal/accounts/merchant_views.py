"""Owner: staff accounts (the list, creating one, deactivating, roles and passwords).

Deactivating and changing a role are confirmed on a page of their own (a GET shows what will
happen, the POST from it does it), so they work without JavaScript and a stray tap changes
nothing.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from memberportal.accounts import queries, services
from memberportal.accounts import staff as staff_accounts
from memberportal.accounts.errors import AlreadyInRole
from memberportal.accounts.forms import (
    StaffConfirmForm,
    StaffForm,
    StaffPasswordForm,
    StaffRoleForm,
)
from memberportal.accounts.models import ROLE_LABELS, StaffUser
from memberportal.accounts.rules import WeakPassword
from memberportal.accounts.views import start_session
from memberportal.core.auth import role_required
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render

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
    return render(
        "merchant/staff/index.html",
        form=form,
        staff=queries.staff_accounts(),
        status=422 if form.errors else 200,
    )


def _staff_or_404(staff_id: int) -> StaffUser:
    staff = queries.staff_by_id(staff_id)
    if staff is None:
        abort(404)
    return staff


def _detail_url(staff_id: int) -> str:
    return url_for("merchant.staff.detail", staff_id=staff_id)


def _detail_page(staff: StaffUser, *, role_form=None, problem=None, status=200):
    role_form = role_form or StaffRoleForm(formdata=None, data={"role": staff.role})
    return render(
        "merchant/staff/detail.html", staff=staff, role_form=role_form, problem=problem,
        reactivate_form=StaffConfirmForm(formdata=None), status=status,
    )  # fmt: skip


@bp.get("/<int:staff_id>")
@role_required("staff.manage")
def detail(staff_id: int):
    return _detail_page(_staff_or_404(staff_id))


def _done(staff: StaffUser, message: str):
    """After a change. Changing your own account ends your session with the others, so sign
    in again here while the account may (to the dashboard once no longer an owner)."""
    flash(message, "success")
    if staff.id != current_user.id:
        return redirect_after_post(_detail_url(staff.id))
    if not staff.is_active:
        lang = session.get("lang")
        logout_user()
        session.clear()
        if lang:
            session["lang"] = lang
        return redirect_after_post(url_for("accounts.staff_login"))
    start_session(staff)
    if staff.role != "owner":
        return redirect_after_post(url_for("merchant.dashboard"))
    return redirect_after_post(_detail_url(staff.id))


@bp.get("/<int:staff_id>/role")
@role_required("staff.manage")
def confirm_role(staff_id: int):
    """What a new role means for this account, with the button that makes the change."""
    staff = _staff_or_404(staff_id)
    form = StaffRoleForm(request.args, meta={"csrf": False})
    if not form.validate():
        return _detail_page(staff, role_form=form, status=422)
    if form.role.data == staff.role:
        return _detail_page(staff, problem=AlreadyInRole(), status=409)
    return render(
        "merchant/staff/confirm_role.html", staff=staff, role=form.role.data,
        role_label=ROLE_LABELS[form.role.data], form=StaffConfirmForm(),
    )  # fmt: skip


@bp.post("/<int:staff_id>/role")
@role_required("staff.manage")
def change_role(staff_id: int):
    staff = _staff_or_404(staff_id)
    form = StaffRoleForm()
    if not form.validate_on_submit():
        return _detail_page(staff, role_form=form, status=422)
    try:
        changed = staff_accounts.change_role(staff.id, form.role.data, actor=current_user)
    except DomainError as error:
        return _detail_page(staff, problem=error, status=error.status)
    message = _("%(email)s is now %(role)s and was signed out on every device.",
                email=changed.email, role=changed.role_label)  # fmt: skip
    return _done(changed, message)


@bp.route("/<int:staff_id>/deactivate", methods=["GET", "POST"])
@role_required("staff.manage")
def deactivate(staff_id: int):
    staff = _staff_or_404(staff_id)
    form = StaffConfirmForm()
    if form.validate_on_submit():
        try:
            changed = staff_accounts.deactivate(staff.id, actor=current_user)
        except DomainError as error:
            return _detail_page(staff, problem=error, status=error.status)
        message = _("%(email)s was deactivated and signed out on every device.",
                    email=changed.email)  # fmt: skip
        return _done(changed, message)
    if not staff.is_enabled:
        return redirect(_detail_url(staff.id), 303)
    return render("merchant/staff/confirm_deactivate.html", staff=staff, form=form)


@bp.route("/<int:staff_id>/reactivate", methods=["GET", "POST"])
@role_required("staff.manage")
def reactivate(staff_id: int):
    staff = _staff_or_404(staff_id)
    if request.method == "GET":  # a reload: back to the account
        return redirect(_detail_url(staff.id), 303)
    if not StaffConfirmForm().validate_on_submit():
        return redirect_after_post(_detail_url(staff.id))
    try:
        changed = staff_accounts.reactivate(staff.id, actor=current_user)
    except DomainError as error:
        return _detail_page(staff, problem=error, status=error.status)
    return _done(changed, _("%(email)s can sign in again.", email=changed.email))


@bp.route("/<int:staff_id>/password", methods=["GET", "POST"])
@role_required("staff.manage")
def password(staff_id: int):
    staff = _staff_or_404(staff_id)
    form = StaffPasswordForm()
    if form.validate_on_submit():
        try:
            changed = staff_accounts.reset_password(
                staff.id, form.password.data, actor=current_user
            )
        except WeakPassword as error:
            form.password.errors.append(str(error.message))
        except DomainError as error:
            return _detail_page(staff, problem=error, status=error.status)
        else:
            message = _("New password set for %(email)s; they were signed out on every device. "
                        "Give them the new password in person.", email=changed.email)  # fmt: skip
            return _done(changed, message)
    status = 422 if form.errors else 200
    response = render("merchant/staff/password.html", staff=staff, form=form, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response
