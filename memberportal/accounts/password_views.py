"""Members' passwords: a reset by the link or code a cashier gave, and changing it signed in."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from memberportal.accounts import passwords, queries
from memberportal.accounts.forms import ChangePasswordForm, NewPasswordForm, ResetCodeForm
from memberportal.accounts.rules import (
    InvalidContact,
    WeakPassword,
    mask_contact,
    normalise_contact,
)
from memberportal.accounts.views import start_session, throttle_failures
from memberportal.core.auth import member_required
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render

bp = Blueprint("passwords", __name__)

# The link's token is moved from the URL into the session at once, so it is not in the
# address bar, the history or the Referer of what the page loads.
TOKEN_KEY = "password_reset_token"  # noqa: S105 - a session key, not a secret


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _code_account_key() -> str:
    text = request.form.get("contact") or ""
    try:
        phone, email = normalise_contact(text)
    except InvalidContact:
        return "reset-code:" + text.strip().lower()
    # The normalised contact, so "138 1234 5678" and "13812345678" share one count.
    return "reset-code:" + (phone or email)


def _change_account_key() -> str:
    return f"password-change:{getattr(current_user, 'id', '')}"


def _reset_done():
    """After a reset: no session survives, the member signs in with the new password."""
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Your password has been changed. Sign in with your new password."), "success")
    return redirect_after_post(url_for("accounts.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@throttle_failures("RESET_CODE_LIMIT_PER_ACCOUNT", "RESET_CODE_LIMIT_PER_IP", _code_account_key)
def forgot():
    form = ResetCodeForm()
    if form.validate_on_submit():
        try:
            passwords.reset_with_code(
                form.contact.data, form.code.data, form.password.data, now=utcnow()
            )
        except WeakPassword as error:
            form.password.errors.append(str(error.message))
        except InvalidContact as error:
            form.contact.errors.append(str(error.message))
        except DomainError as error:
            form.code.errors.append(str(error.message))
        else:
            return _reset_done()
    status = 422 if form.errors else 200
    return _no_store(render("accounts/forgot.html", form=form, status=status))


@bp.get("/password/reset/<token>")
def open_link(token: str):
    session[TOKEN_KEY] = token[:100]
    return redirect(url_for("passwords.reset"), 303)


@bp.route("/password/reset", methods=["GET", "POST"])
def reset():
    token = session.get(TOKEN_KEY)
    form = NewPasswordForm()
    problem, member = None, None
    try:
        member = queries.member_for_reset_link(token or "", utcnow())
    except DomainError as error:
        problem = error
    if member is not None and form.validate_on_submit():
        try:
            passwords.reset_with_token(token, form.password.data, now=utcnow())
        except WeakPassword as error:
            form.password.errors.append(str(error.message))
        except DomainError as error:
            problem = error
        else:
            return _reset_done()
    if problem is not None:
        session.pop(TOKEN_KEY, None)
        status = problem.status
    else:
        status = 422 if form.errors else 200
    contact = mask_contact(member.phone, member.email) if member and not problem else None
    page = render(
        "accounts/reset_password.html", form=form, problem=problem, contact=contact, status=status
    )
    return _no_store(page)


@bp.route("/profile/password", methods=["GET", "POST"])
@member_required
@throttle_failures("SIGNIN_LIMIT_PER_ACCOUNT", "SIGNIN_LIMIT_PER_IP", _change_account_key)
def change():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            member = passwords.change_password(
                current_user.id, form.current_password.data, form.password.data,
                actor=current_user, now=utcnow(),
            )  # fmt: skip
        except WeakPassword as error:
            form.password.errors.append(str(error.message))
        except DomainError as error:
            form.current_password.errors.append(str(error.message))
        else:
            start_session(member)  # this device stays signed in under the new session version
            flash(_("Password changed. Every other device was signed out."), "success")
            return redirect_after_post(url_for("tiers.profile"))
    status = 422 if form.errors else 200
    return _no_store(render("accounts/change_password.html", form=form, status=status))
