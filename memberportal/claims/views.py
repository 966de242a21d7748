"""The member's claims: send one for a purchase that earned nothing, see the outcome."""

from __future__ import annotations

from flask import Blueprint, abort, flash, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user

from memberportal.claims import queries, receipts, services
from memberportal.claims.forms import ClaimForm
from memberportal.core.auth import member_required
from memberportal.core.clock import local_date, utcnow
from memberportal.core.errors import DomainError
from memberportal.core.htmx import redirect_after_post, render
from memberportal.core.money import parse_cents

bp = Blueprint("claims", __name__, url_prefix="/claims")

# Errors raised outside this area, and the form field they belong to.
FIELD_OF = {"invalid_image": "receipt", "invalid_amount": "amount", "invalid": "amount"}


@bp.get("/")
@member_required
def index():
    return render("claims/index.html", lines=queries.claims_for_member(current_user.id))


def upload_bytes(field) -> bytes | None:
    upload = field.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return upload.read()


@bp.route("/new", methods=["GET", "POST"])
@member_required
def new():
    form = ClaimForm()
    if not form.is_submitted():
        form.purchased_on.data = local_date(utcnow())
    if form.validate_on_submit():
        try:
            services.submit_claim(
                current_user.id, store=form.store.data, purchased_on=form.purchased_on.data,
                amount_cents=parse_cents(form.amount.data), receipt=upload_bytes(form.receipt),
                note=form.note.data, actor=current_user, now=utcnow(),
            )  # fmt: skip
        except DomainError as error:
            field = getattr(error, "field", None) or FIELD_OF.get(error.code, "store")
            getattr(form, field).errors.append(str(error.message))
        else:
            flash(_("Claim sent. The store will check it and you will see the outcome here."),
                  "success")  # fmt: skip
            return redirect_after_post(url_for("claims.index"))
    status = 422 if form.errors else 200
    return render("claims/new.html", form=form, status=status)


@bp.get("/<int:claim_id>/receipt")
@member_required
def receipt(claim_id: int):
    """The member's own receipt photo (private: not under a public path)."""
    claim = queries.member_claim_or_404(current_user.id, claim_id)
    return receipt_response(claim.receipt)


def receipt_response(name: str | None):
    if not receipts.is_receipt_name(name):
        abort(404)
    response = send_from_directory(receipts.receipt_dir(), name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
