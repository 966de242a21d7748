"""Words for a bulk row's expected outcome, its result and the reason it was refused."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

OUTCOME_LABELS = {
    "ok": _l("Will be applied"),
    "approval": _l("Above the approval threshold: becomes a request for a second person"),
    "unknown_member": _l("Unknown member: skipped"),
    "negative": _l("Would take the balance below zero: skipped"),
    "invalid": _l("Not valid: skipped"),
    "duplicate": _l("Already a member: skipped"),
}

RESULT_LABELS = {
    "pending": _l("Waiting"),
    "applied": _l("Applied"),
    "requested": _l("Waiting for approval"),
    "failed": _l("Refused"),
    "skipped": _l("Skipped"),
}

PROBLEM_LABELS = {
    "member_missing": _l("No member number or phone."),
    "points_not_a_number": _l("Points must be a whole number."),
    "points_zero": _l("Points must not be zero."),
    "points_too_large": _l("At most 10,000,000 points per line."),
    "reason_missing": _l("A reason is required."),
    "reason_too_long": _l("The reason is longer than 500 characters."),
    "name_missing": _l("A name is required."),
    "contact_invalid": _l("Not a valid mobile number or email."),
    "contact_twice": _l("This phone or email is on an earlier line too."),
    "number_invalid": _l("Growth and points must be whole numbers, 0 or more."),
    "insufficient_points": _l("Not enough points."),
    "account_frozen": _l("The member's account is frozen for review."),
    "contact_taken": _l("Already a member: skipped"),
}


def outcome_label(code: str) -> str:
    return str(OUTCOME_LABELS.get(code, code))


def result_label(code: str) -> str:
    return str(RESULT_LABELS.get(code, code))


def problem_label(code: str | None) -> str:
    if not code:
        return ""
    return str(PROBLEM_LABELS.get(code, OUTCOME_LABELS.get(code, code)))
