"""Review errors; `field` names the form field a message belongs on."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from memberportal.core.errors import DomainError, ValidationFailed


class AlreadyReviewed(DomainError):
    code = "already_reviewed"
    status = 422
    field = "text"
    default_message = _l("You have already reviewed this purchase.")


class PurchaseRefunded(DomainError):
    code = "purchase_refunded"
    status = 422
    field = "text"
    default_message = _l("This purchase was refunded, so it cannot be reviewed.")


class InvalidRating(ValidationFailed):
    code = "invalid_rating"
    field = "rating"
    default_message = _l("Choose from 1 to 5 stars.")


class ReviewTextLength(ValidationFailed):
    code = "review_text_length"
    field = "text"
    default_message = _l("Write between 10 and 500 characters.")
