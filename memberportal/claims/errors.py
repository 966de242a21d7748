"""What can go wrong with a claim, in words the member or the cashier reads."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from memberportal.core.errors import AlreadyExists, DomainError, NotFound, ValidationFailed


class ClaimNotFound(NotFound):
    code = "claim_not_found"
    default_message = _l("No such claim.")


class ClaimDayInFuture(ValidationFailed):
    code = "claim_day_in_future"
    field = "purchased_on"
    default_message = _l("The purchase date cannot be in the future.")


class ClaimTooOld(ValidationFailed):
    code = "claim_too_old"
    field = "purchased_on"
    default_message = _l("Purchases can be claimed for up to 30 days.")


class StoreRequired(ValidationFailed):
    code = "store_required"
    field = "store"
    default_message = _l("Enter the store where you bought.")


class ReceiptRequired(ValidationFailed):
    code = "receipt_required"
    field = "receipt"
    default_message = _l("Add a photo of the receipt.")


class AlreadyClaimed(AlreadyExists):
    code = "already_claimed"
    default_message = _l("You have already claimed this purchase.")


class ClaimAlreadyDecided(DomainError):
    code = "claim_already_decided"
    status = 409
    default_message = _l("This claim has already been decided.")


class RejectReasonRequired(ValidationFailed):
    code = "reject_reason_required"
    field = "reason"
    default_message = _l("Give the member a reason for the rejection.")
