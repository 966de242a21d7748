"""Staff: issue a member a password reset from the member page (cashier and up).

The link and code are shown once, on the answer to the POST; nothing can show them again.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from memberportal.accounts import passwords
from memberportal.accounts.forms import IssueResetForm
from memberportal.accounts.rules import RESET_VALID_FOR, display_reset_code
from memberportal.core import qr
from memberportal.core.auth import role_required
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.members import queries as member_queries

bp = Blueprint("password_resets", __name__, url_prefix="/members")


def qr_data_uri(text: str) -> str:
    """The link as a QR code inside the page: the token never becomes a URL of its own."""
    return qr.svg_data_uri(text)


@bp.route("/<int:member_id>/password-reset", methods=["GET", "POST"])
@role_required("members.reset_password")
def issue(member_id: int):
    member_page = url_for("merchant.members.detail", member_id=member_id)
    if request.method == "GET":  # a reload: the code was shown once, back to the member
        return redirect(member_page, 303)
    member = member_queries.member_by_id(member_id)
    if member is None:
        abort(404)
    if not IssueResetForm().validate_on_submit():
        return redirect_after_post(member_page)
    try:
        issued = passwords.issue_reset(member.id, actor=current_user, now=utcnow())
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect_after_post(member_page)
    link = url_for("passwords.open_link", token=issued.token, _external=True)
    response = render(
        "merchant/members/password_reset.html", member=member, issued=issued,
        code=display_reset_code(issued.code), qr=qr_data_uri(link),
        minutes=int(RESET_VALID_FOR.total_seconds() // 60), status=201,
    )  # fmt: skip
    response.headers["Cache-Control"] = "no-store"  # the code must not linger in a cache
    return response
