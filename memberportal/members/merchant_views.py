"""Staff: look a member up by scanning the card or typing a number."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for

from memberportal.core.auth import role_required
from memberportal.core.htmx import is_htmx, render
from memberportal.members import queries
from memberportal.members.forms import LookupForm

bp = Blueprint("members", __name__, url_prefix="/members")


@bp.get("/")
@role_required("members.lookup")
def lookup():
    form = LookupForm(request.args)
    text = (form.q.data or "").strip()
    results = queries.search_members(text) if text else []
    # A scanned card or an exact number goes straight to the member (not for live search).
    if len(results) == 1 and not is_htmx() and queries.find_member(text):
        return redirect(url_for("merchant.members.detail", member_id=results[0].id))
    return render(
        "merchant/members/lookup.html",
        "merchant/members/_results.html",
        form=form,
        query=text,
        results=results,
    )


@bp.get("/<int:member_id>")
@role_required("members.view")
def detail(member_id: int):
    member = queries.member_by_id(member_id)
    if member is None:
        abort(404)
    return render("merchant/members/detail.html", member=member)
