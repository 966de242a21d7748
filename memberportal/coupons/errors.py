"""Coupon domain errors (each carries a translated message)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from memberportal.core.errors import DomainError, NotFound, ValidationFailed


class CouponUnknown(NotFound):
    code = "coupon_unknown"
    default_message = _l("No coupon has this code.")


class CouponAlreadyUsed(DomainError):
    code = "coupon_already_used"
    status = 409
    default_message = _l("This coupon has already been used.")


class CouponExpired(DomainError):
    code = "coupon_expired"
    status = 409
    default_message = _l("This coupon has expired.")


class TemplateRuleBroken(ValidationFailed):
    code = "coupon_template_rule"
    default_message = _l("Please check the coupon's settings.")


TEMPLATE_PROBLEMS = {
    "name": _l("Enter a name in Chinese and in English."),
    "amount": _l("The amount off must be more than zero."),
    "threshold": _l("The minimum spend must be 0 (no threshold) or more than the amount off."),
    "valid_days": _l("A coupon is valid for 1 to 3650 days."),
    "tier": _l("Choose a tier that exists."),
}
