"""Managers: the audit trail, newest first, filtered, with htmx load-more and a CSV export."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _

from memberportal.audit import labels
from memberportal.audit.changes import describe
from memberportal.audit.forms import AuditFilterForm
from memberportal.audit.queries import AuditFilter, recent_entries, stream_entries
from memberportal.core.auth import role_required
from memberportal.core.clock import local
from memberportal.core.csvio import csv_response
from memberportal.core.htmx import render

bp = Blueprint("audit", __name__, url_prefix="/audit")

PAGE = 50


def _filter(form: AuditFilterForm) -> AuditFilter:
    """The form's filter; a form with errors filters nothing (its errors are shown)."""
    if not form.validate():
        return AuditFilter()
    subject_id = (form.subject_id.data or "").strip()
    return AuditFilter(
        actor=(form.actor.data or "").strip(),
        action=form.action.data or "",
        member=(form.member.data or "").strip(),
        subject_type=form.subject.data or "",
        subject_id=int(subject_id) if subject_id else None,
        since=form.since.data,
        until=form.until.data,
    )


@bp.get("/")
@role_required("audit.view")
def index():
    form = AuditFilterForm(request.args)
    audit_filter = _filter(form)
    before = request.args.get("before", type=int)
    entries = recent_entries(audit_filter, before_id=before, limit=PAGE)
    return render(
        "merchant/audit/index.html",
        "merchant/audit/_rows.html",
        status=422 if form.errors else 200,
        form=form,
        filter_args=audit_filter.args(),
        filtered=bool(audit_filter.args()),
        entries=entries,
        more=len(entries) == PAGE,
        action_label=labels.action_label,
        subject_label=labels.subject_label,
        actor_label=labels.actor_label,
        describe=describe,
    )


@bp.get("/export.csv")
@role_required("audit.view")
def export():
    """The filtered rows as CSV, streamed from a server-side cursor as they are written."""
    audit_filter = _filter(AuditFilterForm(request.args))
    header = [_("When"), _("Who"), _("Action"), _("Subject"), _("Member"), _("Reason"),
              _("What changed")]  # fmt: skip

    def rows():
        for entry, member_no in stream_entries(audit_filter):
            yield [
                local(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                labels.actor_label(entry.actor_kind, entry.actor_label),
                labels.action_label(entry.action),
                f"{labels.subject_label(entry.subject_type)}"
                + (f" #{entry.subject_id}" if entry.subject_id and not member_no else ""),
                member_no or "",
                entry.reason or "",
                "; ".join(str(line) for line in describe(entry.details)),
            ]

    return csv_response("audit.csv", header, rows())
