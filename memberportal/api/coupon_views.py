"""/api/v1/coupons: a till or shop checks a member's coupon and writes it off on an order.

The write-off is the cashier's (coupons.services.write_off: one conditional UPDATE), with the
API client as the actor and the order reference kept on the coupon. Answers are stored under
their request key like purchases, so a retry replays the first answer.

Statuses: 404 unknown_coupon; 409 coupon_used and coupon_void (the coupon's state conflicts
with the request, as an idempotency_conflict does; a void coupon's points-mall order was
cancelled); 422 coupon_expired and coupon_min_spend_not_met (the request
cannot be honoured as sent, like refund_exceeds_purchase)."""

from __future__ import annotations

from datetime import datetime

from flask import request
from flask_babel import gettext as _

from memberportal.api import services
from memberportal.api.errors import api_code
from memberportal.api.rules import request_fingerprint
from memberportal.api.schemas import (
    CouponCheckOut,
    CouponPath,
    CouponQuery,
    ErrorOut,
    RedemptionIn,
    RedemptionOut,
)
from memberportal.api.views import _answer, _request_key, bp, require_client
from memberportal.core.clock import local_date, utcnow
from memberportal.core.errors import DomainError
from memberportal.coupons import queries as coupon_queries
from memberportal.coupons import rules as coupon_rules
from memberportal.coupons import services as coupons
from memberportal.coupons.errors import (
    CouponAlreadyUsed,
    CouponExpired,
    CouponUnknown,
    CouponVoid,
    SpendBelowThreshold,
)
from memberportal.coupons.models import Coupon

REDEMPTION_OUT = RedemptionOut()  # the answer is stored as dumped, then replayed


def refusal_error(refusal: str, coupon: Coupon, order_cents: int | None) -> DomainError:
    """The coupons area's error for Coupon.refusal()'s reason."""
    if refusal == "used":
        return CouponAlreadyUsed()
    if refusal == "void":
        return CouponVoid()
    if refusal == "expired":
        return CouponExpired()
    return SpendBelowThreshold(coupon.min_spend_cents, order_cents or 0)


def coupon_body(coupon: Coupon, member_no: str, now: datetime) -> dict:
    return {
        "code": coupon.code,
        "member_no": member_no,
        "name": coupon.name,
        "amount_off_cents": coupon.amount_cents,
        "min_spend_cents": coupon.min_spend_cents,
        "valid_until": coupon.expires_at,
        "last_valid_day": local_date(coupon.expires_at),
        "status": coupon.status_at(now),
        "used_at": coupon.used_at,
    }


def _found(code: str) -> tuple[Coupon, str]:
    found = coupon_queries.coupon_for_till(code)
    if found is None:
        raise CouponUnknown()
    return found


@bp.get("/coupons/<code>")
@bp.arguments(CouponPath(), location="path", as_kwargs=True)
@bp.arguments(CouponQuery(), location="query", as_kwargs=True)
@bp.response(200, CouponCheckOut)
@bp.alt_response(404, schema=ErrorOut, description="unknown_coupon")
@bp.alt_response(422, schema=ErrorOut, description="invalid_amount, invalid_request")
def coupon(code: str, order_amount_cents: int | None = None):
    """A coupon's state for a till, and whether it can be used on this order now.

    Changes nothing: `usable` and `refusal` say what a redemption sent now would answer."""
    coupon, member_no = _found(code)
    now = utcnow()
    refusal = coupon.refusal(now, order_amount_cents)
    error = refusal_error(refusal, coupon, order_amount_cents) if refusal else None
    return {
        **coupon_body(coupon, member_no, now),
        "order_amount_cents": order_amount_cents,
        "usable": refusal is None,
        "refusal": {"error": api_code(error).error, "message": str(error.message)}
        if error
        else None,
    }


@bp.post("/coupons/<code>/redemptions")
@bp.arguments(CouponPath(), location="path", as_kwargs=True)
@bp.arguments(RedemptionIn())
@bp.response(201, RedemptionOut)
@bp.alt_response(404, schema=ErrorOut, description="unknown_coupon")
@bp.alt_response(
    409,
    schema=ErrorOut,
    description="coupon_used (already used on another order), coupon_void (its points-mall "
    "order was cancelled), idempotency_conflict",
)
@bp.alt_response(
    422,
    schema=ErrorOut,
    description="coupon_expired, coupon_min_spend_not_met (details.min_spend_cents), "
    "invalid_amount, invalid_request",
)
def redeem_coupon(data: dict, code: str):
    """Write a coupon off on an order (核销), as the cashier does. Safe to retry.

    The same order reference for this coupon, or the same Idempotency-Key, replays the first
    answer with its status; the same key with another body is a 409 idempotency_conflict."""
    client = require_client()
    normalised = coupon_rules.normalise_code(code)
    order_ref, order_cents = data["order_ref"], data["order_amount_cents"]
    resource = f"coupon:{normalised}:{order_ref}"
    # The path's code as normalised, so "abcde-23456" and "ABCDE23456" are the same request.
    path = f"/api/v1/coupons/{normalised}/redemptions"
    fingerprint = request_fingerprint("POST", path, request.get_json(silent=True) or {})

    def compute() -> tuple[int, dict]:
        try:
            coupon = coupons.write_off(
                normalised, order_cents=order_cents, actor=client, now=utcnow(),
                order_ref=order_ref,
            )  # fmt: skip
        except CouponAlreadyUsed:
            return _first_redemption(client.id, resource, fingerprint)
        coupon, member_no = _found(coupon.code)
        body = {
            "order_ref": order_ref,
            "order_amount_cents": order_cents,
            "amount_off_cents": coupon.amount_cents,
            "coupon": coupon_body(coupon, member_no, utcnow()),
        }
        return 201, REDEMPTION_OUT.dump(body)

    answer = services.answer_once(
        client.id,
        _request_key(f"coupon:{normalised}:{order_ref}"),
        fingerprint,
        compute,
        resource=resource,
    )
    return _answer(answer)


def _first_redemption(client_id: int, resource: str, fingerprint: str) -> tuple[int, dict]:
    """The coupon is used: if this client used it on this order (a retry under another
    request key), its first answer; the same order with another body (another amount) is a
    conflict; otherwise it was used on another order."""
    first = services.first_answer_for(
        client_id, resource, fingerprint, status=201,
        conflict=_("This order reference was already used with this coupon for another amount."),
    )  # fmt: skip
    if first is None:
        raise CouponAlreadyUsed()
    return first.status, first.body
