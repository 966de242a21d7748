"""Purchase errors."""

from flask_babel import lazy_gettext as _l

from memberportal.core.errors import AlreadyExists, DomainError, NotFound


class DuplicatePurchase(AlreadyExists):
    code = "duplicate_purchase"
    default_message = _l("This order reference was already recorded; no points were added.")

    @property
    def purchase_id(self) -> int | None:
        return self.details.get("purchase_id")


class RefundExceedsPurchase(DomainError):
    code = "refund_exceeds_purchase"
    default_message = _l("The refund is more than what is left to refund on this purchase.")


class UnknownPurchase(NotFound):
    code = "unknown_purchase"
    default_message = _l("There is no such purchase.")


class DuplicateRefund(AlreadyExists):
    code = "duplicate_refund"
    default_message = _l("This refund reference was already recorded.")
