"""Mall domain errors (each carries a translated message)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from memberportal.core.errors import DomainError, NotFound, ValidationFailed
from memberportal.mall.rules import Reason


class NotRedeemable(DomainError):
    """The item cannot be redeemed by this member now; `reason` says why."""

    code = "not_redeemable"

    def __init__(self, reason: Reason):
        self.reason = reason
        super().__init__(reason.message, reason=reason.value)


class OutOfStock(NotRedeemable):
    code = "out_of_stock"

    def __init__(self):
        super().__init__(Reason.SOLD_OUT)


class LimitReached(NotRedeemable):
    code = "limit_reached"

    def __init__(self):
        super().__init__(Reason.LIMIT_REACHED)


class InvalidQuantity(ValidationFailed):
    code = "invalid_quantity"
    default_message = _l("Choose a quantity within the limit.")


class InvalidAddress(ValidationFailed):
    """The shipping address is missing or malformed; `fields` names the bad ones."""

    code = "invalid_address"
    default_message = _l(
        "Enter the recipient's name, a phone number and the address (no special characters)."
    )

    def __init__(self, fields: list[str]):
        self.fields = fields
        super().__init__(fields=",".join(fields))


class RequestKeyClash(DomainError):
    code = "request_key_clash"
    status = 409
    default_message = _l("This form was already used. Open the item again.")


class NotCancellable(DomainError):
    code = "not_cancellable"
    default_message = _l("This order has been handed over or shipped and cannot be cancelled.")


class CouponOrderUsed(NotCancellable):
    """The coupon this order bought was written off: the order stands as it is."""

    code = "coupon_order_used"
    status = 409
    default_message = _l(
        "The coupon from this order has already been used, so the order cannot be cancelled."
    )


class AlreadyHandedOver(DomainError):
    code = "already_handed_over"
    status = 409
    default_message = _l("Already done: this order has been handed over.")


class WrongOrderState(DomainError):
    code = "wrong_order_state"
    status = 409
    default_message = _l("This order is not in a state for that step.")


class PickupCodeUnknown(NotFound):
    code = "pickup_code_unknown"
    default_message = _l("No order has this pickup code.")


class InvalidImage(ValidationFailed):
    code = "invalid_image"
    default_message = _l("Upload a PNG, JPEG, GIF or WebP image between 64 and 4096 pixels.")


class CatalogRuleBroken(ValidationFailed):
    code = "catalog_rule"
    default_message = _l("Please check the item's settings.")


CHOOSE_MALL_COUPON = _l(
    "Choose the coupon this item gives: an active coupon of the points mall (create one under "
    "Coupons, “Points mall”)."
)
NO_COUPON_FOR_KIND = _l("Only a coupon item gives a coupon: choose “No coupon” for this kind.")


class ItemHasOrders(DomainError):
    code = "item_has_orders"
    status = 409
    default_message = _l("This item has orders: withdraw it instead of deleting it.")
