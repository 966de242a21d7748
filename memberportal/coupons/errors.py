"""Coupon domain errors (each carries a translated message)."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from memberportal.core.errors import DomainError, NotFound, ValidationFailed
from memberportal.core.money import format_cents


class CouponUnknown(NotFound):
    code = "coupon_unknown"
    default_message = _l("No coupon has this code.")


class CouponAlreadyUsed(DomainError):
    code = "coupon_already_used"
    status = 409
    default_message = _l("This coupon has already been used.")


class CouponVoid(DomainError):
    code = "coupon_void"
    status = 409
    default_message = _l(
        "This coupon was cancelled (its points-mall order was cancelled) and cannot be used."
    )


class TemplateNotForMall(DomainError):
    """The item's coupon is not an active points-mall coupon (deactivated meanwhile)."""

    code = "coupon_template_not_for_mall"
    status = 409
    default_message = _l("This coupon is no longer offered.")


class CouponExpired(DomainError):
    code = "coupon_expired"
    status = 409
    default_message = _l("This coupon has expired.")


def _below_message(min_spend_cents: int, order_cents: int) -> str:
    return _(
        "This coupon needs a spend of at least %(min)s; the order is %(order)s.",
        min=format_cents(min_spend_cents),
        order=format_cents(order_cents),
    )


class SpendBelowThreshold(DomainError):
    """The order does not reach the coupon's minimum spend; the coupon stays usable."""

    code = "coupon_spend_below_threshold"
    status = 422

    def __init__(self, min_spend_cents: int, order_cents: int):
        super().__init__(
            LazyString(_below_message, min_spend_cents, order_cents),
            min_spend_cents=min_spend_cents,
            order_cents=order_cents,
        )


class TemplateRuleBroken(ValidationFailed):
    code = "coupon_template_rule"
    default_message = _l("Please check the coupon's settings.")


TEMPLATE_PROBLEMS = {
    "name": _l("Enter a name in Chinese and in English."),
    "amount": _l("The amount off must be more than zero."),
    "threshold": _l("The minimum spend must be 0 (no threshold) or more than the amount off."),
    "valid_days": _l("A coupon is valid for 1 to 3650 days."),
    "tier": _l("Choose a tier that exists."),
    "source": _l(
        "Choose who receives the coupon: members at a tier, paid-card holders, members in their "
        "birthday month, members on the member day or members who redeem it in the points mall."
    ),
    "paid_tier": _l("A paid-card coupon is not attached to a tier: leave the tier empty."),
    "mall_tier": _l(
        "A points-mall coupon is not attached to a tier (set a minimum tier on the mall item): "
        "leave the tier empty."
    ),
    "quarterly": _l("Only a paid-card coupon can be issued every quarter."),
    "member_day_days": _l(
        "A member-day coupon is valid on the member day only: set “Valid for” to 1 day."
    ),
    "birthday_days": _l(
        "A birthday coupon ends with the birthday month at the latest: set “Valid for” to 1 to "
        "31 days."
    ),
}
