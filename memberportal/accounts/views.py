"""Signing in and out, registering, choosing a language."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    after_this_request,
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from memberportal.accounts import services
from memberportal.accounts.forms import MemberLoginForm, RegisterForm, StaffLoginForm
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.core.i18n import LANG_COOKIE
from memberportal.extensions import limiter
from memberportal.members import services as member_services
from memberportal.members.rules import CONSENT_VERSION
from memberportal.tiers.queries import program_open

bp = Blueprint("accounts", __name__)


def _safe_next(default: str) -> str:
    target = request.args.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


def _login_key() -> str:
    form = request.form
    return "signin:" + (form.get("contact") or form.get("email") or "").strip().lower()


def _failed(response) -> bool:
    # Only failures count against the limits; a success redirects.
    return response.status_code == 200 or response.status_code == 422


def throttle_failures(per_account: str, per_ip: str, account_key: Callable[[], str]) -> Callable:
    """Limit a form's failed POSTs per account (`account_key()`) and per address; the limits
    are read from the config keys `per_account` and `per_ip` at request time."""
    limits = [
        limiter.limit(
            lambda: current_app.config[per_account],
            key_func=account_key,
            methods=["POST"],
            deduct_when=_failed,
        ),
        limiter.limit(lambda: current_app.config[per_ip], methods=["POST"], deduct_when=_failed),
    ]

    def decorate(view):
        for limit in limits:
            view = limit(view)
        return view

    return decorate


_throttled = throttle_failures("SIGNIN_LIMIT_PER_ACCOUNT", "SIGNIN_LIMIT_PER_IP", _login_key)

# A long-lived random cookie naming the browser, so one phone cannot make account after account
# by changing networks; a client without it is counted by its address instead.
DEVICE_COOKIE = "mp_device"


def _device_key() -> str:
    device = (request.cookies.get(DEVICE_COOKIE) or "")[:64]
    return "register-device:" + (device or "none:" + (request.remote_addr or ""))


def _registered(response) -> bool:
    # Only accounts made count; a refused form is answered 422 and costs nothing.
    return response.status_code in (302, 303) or "HX-Redirect" in response.headers


_registration_limits = [
    limiter.limit(
        lambda: current_app.config["REGISTER_LIMIT_PER_DEVICE"], key_func=_device_key,
        methods=["POST"], deduct_when=_registered,
    ),
    limiter.limit(
        lambda: current_app.config["REGISTER_LIMIT_PER_IP"], methods=["POST"],
        deduct_when=_registered,
    ),
]  # fmt: skip


def _throttled_registration(view):
    for limit in _registration_limits:
        view = limit(view)
    return view


def _with_device_cookie(response):
    if not request.cookies.get(DEVICE_COOKIE):
        response.set_cookie(
            DEVICE_COOKIE, secrets.token_urlsafe(24), max_age=5 * 365 * 24 * 3600,
            samesite="Lax", httponly=True, secure=request.is_secure,
        )  # fmt: skip
    return response


def start_session(user) -> None:
    # A fresh session on sign-in, so a planted session id is worth nothing.
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@_throttled
def login():
    if current_user.is_authenticated and not current_user.is_staff:
        return redirect(url_for("members.card"))
    form = MemberLoginForm()
    if form.validate_on_submit():
        member = services.sign_in_member(
            form.contact.data, form.password.data, address=request.remote_addr, now=utcnow()
        )
        if member:
            start_session(member)
            return redirect_after_post(_safe_next(url_for("members.card")))
        form.password.errors.append(_("Those sign-in details do not match an account."))
    status = 422 if form.errors else 200
    return render("accounts/login.html", form=form, status=status)


@bp.route("/register", methods=["GET", "POST"])
@_throttled_registration
def register():
    if not program_open():
        return render("accounts/not_open.html", status=503)
    after_this_request(_with_device_cookie)
    form = RegisterForm()
    if request.method == "GET":
        form.ref.data = (request.args.get("ref") or "")[:32]
    if form.validate_on_submit():
        try:
            member = member_services.register(
                form.name.data, form.contact.data, form.password.data, referred_by=form.ref.data,
                consent_version=CONSENT_VERSION if form.accept.data else None,
            )  # fmt: skip
        except DomainError as error:
            field = {"weak_password": form.password, "consent_required": form.accept}.get(
                error.code, form.contact
            )
            field.errors.append(str(error.message))
        else:
            start_session(member)
            flash(_("Welcome! Your member number is %(no)s.", no=member.member_no), "success")
            return redirect_after_post(url_for("members.card"))
    status = 422 if form.errors else 200
    return render("accounts/register.html", form=form, status=status)


@bp.route("/staff/login", methods=["GET", "POST"])
@_throttled
def staff_login():
    form = StaffLoginForm()
    if form.validate_on_submit():
        result = services.sign_in_staff(
            form.email.data, form.password.data, address=request.remote_addr, now=utcnow()
        )
        if result.staff:
            start_session(result.staff)
            return redirect_after_post(_safe_next(url_for("merchant.dashboard")))
        form.password.errors.append(
            str(result.refusal.message)
            if result.refusal
            else _("Those sign-in details do not match an account.")
        )
    status = 422 if form.errors else 200
    return render("accounts/staff_login.html", form=form, status=status)


@bp.post("/logout")
def logout():
    was_staff = current_user.is_authenticated and current_user.is_staff
    logout_user()
    session.clear()
    return redirect_after_post(url_for("accounts.staff_login" if was_staff else "public.home"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    """Switch language; the choice is kept in a cookie for signed-out pages too."""
    if code not in current_app.config["LANGUAGES"]:
        code = current_app.config["LANGUAGES"][0]
    response = redirect_after_post(_safe_next(url_for("public.home")))
    response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
