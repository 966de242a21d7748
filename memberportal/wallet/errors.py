"""What stored value refuses; `code` is the API's stable error code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from memberportal.core.errors import AlreadyExists, DomainError, NotFound


class InsufficientBalance(DomainError):
    code = "insufficient_balance"
    default_message = _l("The stored balance does not cover this amount.")


class WalletFrozen(DomainError):
    code = "wallet_frozen"
    status = 409
    default_message = _l(
        "This stored balance is frozen while a payment dispute is open; please contact the store."
    )


class PlanNotAvailable(DomainError):
    code = "plan_not_available"
    default_message = _l("This top-up plan is not available to you now.")


class DuplicatePayment(AlreadyExists):
    code = "duplicate_payment"
    default_message = _l("This order reference was already paid from a stored balance.")


class UnknownPayment(NotFound):
    code = "unknown_payment"
    default_message = _l("No stored-value payment with this order reference.")


class RefundExceedsPayment(DomainError):
    code = "refund_exceeds_payment"
    default_message = _l("The refund is more than what is left of this payment.")


class DuplicateRefund(AlreadyExists):
    code = "duplicate_refund"
    default_message = _l("This refund reference was already used for this payment.")


class TopUpNotRefundable(DomainError):
    code = "topup_not_refundable"
    status = 409
    default_message = _l("Only a paid top-up can be refunded, once.")


class PlanRuleBroken(DomainError):
    code = "invalid_plan"

    def __init__(self, field: str, message):
        super().__init__(message)
        self.field = field
