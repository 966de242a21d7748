"""Risk errors; `field` names the form field a message belongs on."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from memberportal.core.errors import DomainError, NotFound, ValidationFailed


class ThresholdOutOfRange(ValidationFailed):
    code = "threshold_out_of_range"

    def __init__(self, message=None, *, field: str):
        super().__init__(message, field=field)
        self.field = field


class NoteRequired(ValidationFailed):
    code = "note_required"
    field = "note"
    default_message = _l("Write a note of at most 500 characters.")


class ReasonRequired(ValidationFailed):
    code = "reason_required"
    field = "reason"
    default_message = _l("Give a reason of at most 500 characters.")


class FlagNotFound(NotFound):
    code = "flag_not_found"
    default_message = _l("There is no such flag.")


class FlagAlreadyReviewed(DomainError):
    code = "flag_already_reviewed"
    status = 409
    field = "note"
    default_message = _l("This flag has already been reviewed.")


class AlreadyFrozen(DomainError):
    code = "already_frozen"
    status = 409
    field = "reason"
    default_message = _l("This member's account is already frozen.")


class NotFrozen(DomainError):
    code = "not_frozen"
    status = 409
    default_message = _l("This member's account is not frozen.")
