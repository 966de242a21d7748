"""Domain errors: raised by services, translated into responses at the edge."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A business rule said no. `message` is shown to the user; `code` is stable for the API."""

    code = "domain_error"
    status = 422
    default_message = _l("This action is not allowed.")

    def __init__(self, message=None, **details):
        self.message = message if message is not None else self.default_message
        self.details = details
        super().__init__(str(self.message))


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _l("Not found.")


class ValidationFailed(DomainError):
    code = "invalid"
    status = 422
    default_message = _l("Please check what you entered.")


class AlreadyExists(DomainError):
    code = "already_exists"
    status = 409
    default_message = _l("This already exists.")
