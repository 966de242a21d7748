"""Managers: bulk points and member import from a CSV (upload, preview, confirm, progress,
report), the same pages for both kinds."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from memberportal.bulk import labels, queries
from memberportal.bulk import services as bulk
from memberportal.bulk.forms import StepForm, UploadForm
from memberportal.bulk.models import DONE, MEMBERS, POINTS, RUNNING
from memberportal.core.auth import role_required
from memberportal.core.clock import utcnow
from memberportal.core.csvio import csv_response
from memberportal.core.errors import DomainError
from memberportal.core.htmx import is_htmx, redirect_after_post, render

bp = Blueprint("bulk", __name__, url_prefix="/bulk")

# kind -> (permission, upload use case)
KINDS: dict[str, tuple[str, Callable]] = {
    POINTS: ("points.adjust", bulk.upload_points),
    MEMBERS: ("members.import", bulk.upload_members),
}


def _upload_or_404(kind: str, upload_id: int):
    upload = queries.upload_or_none(kind, upload_id)
    if upload is None:
        abort(404)
    return upload


def _context(upload) -> dict:
    results = queries.counts(upload.id, "result")
    return {
        "upload": upload,
        "kind": upload.kind,
        "form": StepForm(),
        "outcomes": queries.counts(upload.id, "outcome"),
        "results": results,
        "handled": upload.total_rows - results.get("pending", 0),
        "outcome_label": labels.outcome_label,
        "result_label": labels.result_label,
        "problem_label": labels.problem_label,
    }


def index(kind: str):
    form = UploadForm()
    status = 200
    if form.validate_on_submit():
        upload_file = form.file.data
        try:
            upload = KINDS[kind][1](
                upload_file.filename, upload_file.read(), actor=current_user, now=utcnow()
            )
        except DomainError as error:
            form.file.errors.append(str(error.message))
        else:
            return redirect_after_post(url_for(f"merchant.bulk.{kind}_show", upload_id=upload.id))
    if form.errors:
        status = 422
    return render(
        f"merchant/bulk/{kind}_index.html", status=status, form=form, kind=kind,
        uploads=queries.recent_uploads(kind),
    )  # fmt: skip


def show(kind: str, upload_id: int):
    upload = _upload_or_404(kind, upload_id)
    return render(
        "merchant/bulk/show.html", "merchant/bulk/_progress.html",
        rows=queries.rows_page(upload.id), **_context(upload),
    )  # fmt: skip


def _back_to_page(kind: str, upload_id: int):
    """A reload of a POST-only address: back to the upload's page, which changes nothing."""
    return redirect(url_for(f"merchant.bulk.{kind}_show", upload_id=upload_id), 303)


def _act(kind: str, upload_id: int, action: Callable, done: str):
    upload = _upload_or_404(kind, upload_id)
    if request.method == "GET":
        return _back_to_page(kind, upload.id)
    if not StepForm().validate_on_submit():
        abort(400)
    try:
        action(upload.id, actor=current_user, now=utcnow())
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        flash(done, "success")
    return redirect_after_post(url_for(f"merchant.bulk.{kind}_show", upload_id=upload.id))


def confirm(kind: str, upload_id: int):
    return _act(kind, upload_id, bulk.confirm, _("Confirmed: the rows are being applied."))


def cancel(kind: str, upload_id: int):
    return _act(kind, upload_id, bulk.cancel, _("Cancelled: nothing was applied."))


def step(kind: str, upload_id: int):
    """One step of the run. htmx gets the progress fragment (which asks for the next step
    while rows remain, and reloads the page when the run is done); a plain form, the page."""
    upload = _upload_or_404(kind, upload_id)
    if request.method == "GET":
        return _back_to_page(kind, upload.id)
    if not StepForm().validate_on_submit():
        abort(400)
    upload = bulk.run_step(upload.id, now=utcnow())
    show_url = url_for(f"merchant.bulk.{kind}_show", upload_id=upload.id)
    if upload.status == RUNNING and is_htmx():
        return render("merchant/bulk/_progress.html", **_context(upload))
    if upload.status == DONE:
        flash(_("Done: download the report for every row's result."), "success")
    return redirect_after_post(show_url)


def report(kind: str, upload_id: int):
    upload = _upload_or_404(kind, upload_id)
    if kind == POINTS:
        columns = [_("Member (as typed)"), _("Member number"), _("Points"), _("Reason")]
        keys = ("member", None, "points", "reason")
    else:
        columns = [_("Name"), _("Phone or email"), _("Growth"), _("Points"), _("Member number")]
        keys = ("name", "contact", "growth", "points", None)
    header = [_("Line"), *columns, _("Preview"), _("Result"), _("Why")]

    def rows():
        for row, member_no in queries.stream_rows(upload.id):
            data = row.data or {}
            values = [data.get(key, "") if key else member_no or "" for key in keys]
            yield [
                row.line_no, *values, labels.outcome_label(row.outcome),
                labels.result_label(row.result), labels.problem_label(row.error or row.problem),
            ]  # fmt: skip

    return csv_response(f"bulk-{kind}-{upload.id}.csv", header, rows())


def _register(kind: str, permission: str) -> None:
    def route(rule: str, view: Callable, name: str, methods=("GET",)):
        def endpoint(**kwargs):
            return view(kind, **kwargs)

        endpoint.__name__ = f"{kind}_{name}"
        bp.add_url_rule(
            f"/{kind}{rule}", endpoint.__name__, role_required(permission)(endpoint),
            methods=list(methods),
        )  # fmt: skip

    route("/", index, "index", methods=("GET", "POST"))
    route("/<int:upload_id>", show, "show")
    route("/<int:upload_id>/confirm", confirm, "confirm", methods=("GET", "POST"))
    route("/<int:upload_id>/cancel", cancel, "cancel", methods=("GET", "POST"))
    route("/<int:upload_id>/step", step, "step", methods=("GET", "POST"))
    route("/<int:upload_id>/report.csv", report, "report")


for _kind, (_permission, _use_case) in KINDS.items():
    _register(_kind, _permission)
