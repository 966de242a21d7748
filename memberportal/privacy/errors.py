"""Why an account cannot be closed right now, in words the member reads."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from memberportal.core.errors import DomainError, ValidationFailed


class WrongPassword(ValidationFailed):
    code = "wrong_password"
    field = "password"
    default_message = _l("That password is not right.")


class ClosureNotConfirmed(ValidationFailed):
    code = "closure_not_confirmed"
    field = "confirm"
    default_message = _l("Tick the box to confirm that you want to close your account.")


class CannotCloseYet(DomainError):
    code = "cannot_close_yet"
    status = 409
    default_message = _l("The account cannot be closed right now.")


class PaidCardStillRunning(CannotCloseYet):
    code = "paid_card_running"
    default_message = _l(
        "Your paid membership is still running. Cancel it first so you are not charged again."
    )


class OrdersStillOpen(CannotCloseYet):
    code = "mall_orders_open"
    default_message = _l("Collect or cancel your open points-mall orders first.")


class AccountUnderReview(CannotCloseYet):
    code = "account_under_review"
    default_message = _l("Your account is under review; please contact the store.")


class AlreadyClosed(CannotCloseYet):
    code = "already_closed"
    default_message = _l("This account is already closed.")
