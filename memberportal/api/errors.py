"""The API's stable error codes over the areas' own errors: one vocabulary per area.

Each area says no with its own DomainError subclasses (its errors.py), whose message is what
the pages show. The API answers {"error": code, "message": that same message, "details"}
with codes its clients rely on; where an area's code or status is not the API's, this table
maps it, so the area's wording and the API's contract each live in one place. An error not
listed answers with its own code and status.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from memberportal.core.errors import DomainError
from memberportal.coupons.errors import (
    CouponAlreadyUsed,
    CouponExpired,
    CouponUnknown,
    CouponVoid,
    SpendBelowThreshold,
)


@dataclass(frozen=True)
class ApiCode:
    error: str
    status: int
    details: dict[str, str] = field(default_factory=dict)  # the area's name -> the API's


API_CODES: dict[type[DomainError], ApiCode] = {
    CouponUnknown: ApiCode("unknown_coupon", 404),
    CouponAlreadyUsed: ApiCode("coupon_used", 409),
    CouponVoid: ApiCode("coupon_void", 409),
    # The request cannot be honoured as sent (as refund_exceeds_purchase): 422.
    CouponExpired: ApiCode("coupon_expired", 422),
    SpendBelowThreshold: ApiCode(
        "coupon_min_spend_not_met", 422, {"order_cents": "order_amount_cents"}
    ),
}


def api_code(error: DomainError) -> ApiCode:
    for cls in type(error).__mro__:
        if cls in API_CODES:
            return API_CODES[cls]
    return ApiCode(error.code, error.status)


def error_body(error: DomainError) -> dict:
    code = api_code(error)
    body = {"error": code.error, "message": str(error.message)}
    if error.details:
        body["details"] = {
            code.details.get(k, k): v for k, v in error.details.items() if _jsonable(v)
        }
    return body


def _jsonable(value) -> bool:
    return isinstance(value, str | int | float | bool | type(None))
