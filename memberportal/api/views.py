"""/api/v1: purchases and refunds reported by tills and shops, and member lookup (coupons:
coupon_views.py).

JSON in and out, bearer token, no CSRF (no cookies are used). Every answer to a POST is
stored under its request key and replayed for retries."""

from __future__ import annotations

from flask import g, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException

from memberportal.api import ratelimit, services, usage
from memberportal.api.errors import api_code, error_body
from memberportal.api.models import ClientActor
from memberportal.api.rules import bearer_token, hash_token, request_fingerprint
from memberportal.api.schemas import (
    ErrorOut,
    MemberOut,
    MemberPath,
    PurchaseIn,
    PurchaseOut,
    PurchasePath,
    RefundIn,
    RefundOut,
)
from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.extensions import csrf
from memberportal.members.errors import MemberCodeExpired
from memberportal.members.queries import lookup_member, parse_code, phone_last_digits
from memberportal.memberships.queries import active_benefits
from memberportal.points.errors import UnknownMember
from memberportal.purchases import queries as purchase_queries
from memberportal.purchases import services as purchases
from memberportal.purchases.errors import DuplicatePurchase, UnknownPurchase
from memberportal.purchases.services import ReportedBy

bp = Blueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Purchases, refunds, member lookup and coupons.",
)
csrf.exempt(bp)
PURCHASE_OUT, REFUND_OUT = PurchaseOut(), RefundOut()  # schemas are costly to build per request


class Unauthorized(DomainError):
    code = "invalid_token"
    status = 401
    default_message = _l("A valid API token is required.")


class MissingToken(Unauthorized):
    code = "missing_token"
    default_message = _l("Send the API token as 'Authorization: Bearer <token>'.")


class RevokedToken(Unauthorized):
    code = "revoked_token"
    default_message = _l("This API token has been revoked.")


def _token_hash() -> str | None:
    """The SHA-256 of the bearer token sent (None without one), once per request: the rate
    limit's key and the client lookup both need it."""
    if "api_token_hash" not in g:
        token = bearer_token(request.headers.get("Authorization"))
        g.api_token_hash = hash_token(token) if token else None
    return g.api_token_hash


def _rate_key() -> str:
    token_hash = _token_hash()
    return "api:" + (token_hash[:24] if token_hash else request.remote_addr or "anonymous")


@bp.before_app_request
def rate_limit():
    """One count per client over every /api/v1 endpoint (api.ratelimit), before the token is
    looked up and before the site's own checks of the request, as flask-limiter counted it:
    a flood of calls is refused without reaching the database."""
    if request.blueprint == bp.name:
        ratelimit.hit(_rate_key())


bp.after_request(ratelimit.add_headers)


@bp.before_request
def authenticate():
    if _token_hash() is None:
        raise MissingToken()
    require_client()


def require_client() -> ClientActor:
    """The calling client, checked once per request; raises Unauthorized or RevokedToken."""
    client = g.get("api_client")
    if client is None:
        client = services.client_for_token_hash(g.api_token_hash)
        if client is None:
            raise Unauthorized()
        if client.is_revoked:
            raise RevokedToken()
        _authenticated(client)
    return client


def _authenticated(client: ClientActor) -> None:
    g.api_client = client
    g.api_client_id = client.id


@bp.after_request
def count(response):
    """Count the call for the owner's usage figures (api.usage); the request log line has it."""
    client_id = g.get("api_client_id")
    if client_id is not None:
        usage.count_call(
            client_id,
            response.status_code,
            replayed=response.headers.get("Idempotent-Replayed") == "true",
            now=utcnow(),
        )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    response = jsonify(error_body(error))
    response.status_code = api_code(error).status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="memberportal"'
    return response


HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def http_error(error: HTTPException):
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or {}
    code = HTTP_CODES.get(error.code, "error")
    body = {"error": code, "message": error.description}
    if messages:
        fields = {}
        for location, problems in messages.items():
            fields.update(problems if isinstance(problems, dict) else {location: problems})
        body = {
            "error": _validation_code(fields, error.code),
            "message": _("The request is not valid."),
            "details": fields,
        }
    response = jsonify(body)
    response.status_code = error.code or 500
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    return response


# Per status code: the site's own per-code HTML handlers would otherwise win over a class handler.
for _status in (*HTTP_CODES, 422, 500):
    bp.register_error_handler(_status, http_error)


def _validation_code(fields: dict, status: int) -> str:
    if status == 400:
        return "invalid_json"
    if fields.keys() & {"amount_cents", "order_amount_cents"}:
        return "invalid_amount"
    return "invalid_request"


def _answer(answer: services.Answer):
    response = jsonify(answer.body)
    response.status_code = answer.status
    if answer.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _request_key(default: str) -> str:
    key = (request.headers.get("Idempotency-Key") or "").strip()
    return f"key:{key[:150]}" if key else default


@bp.get("/members/<code>")
@bp.arguments(MemberPath(), location="path", as_kwargs=True)
@bp.response(200, MemberOut)
@bp.alt_response(404, schema=ErrorOut, description="unknown_member, member_code_expired")
def member(code: str):
    """Look a member up by the card's rotating code (valid about 2 minutes), the member
    number or the phone. A typed member number is confirmed with the phone's last digits."""
    found = lookup_member(code, utcnow())
    if found.expired:
        raise MemberCodeExpired()
    if found.member is None:
        raise UnknownMember()
    body = member_body(found.member)
    body["identified_by"] = found.via
    if found.via == "member_no":
        body["phone_last_digits"] = phone_last_digits(found.member)
    return body


def member_body(member) -> dict:
    name = member.name or ""
    return {
        "member_no": member.member_no,
        "display_name": name[:1] + "*" * min(max(len(name) - 1, 1), 3),
        "tier": member.tier.code,
        "tier_name": member.tier.name,
        "points_balance": member.points_balance,
        "paid_membership": paid_membership(member.id),
        "discount": discount_body(member.id),
    }


def discount_body(member_id: int) -> dict | None:
    """The discount the till applies now (the paid card's or the member day's), or None."""
    kind, bps = purchase_queries.discount_now(member_id, utcnow())
    return {"kind": kind, "discount_bps": bps} if kind else None


@bp.post("/purchases")
@bp.arguments(PurchaseIn())
@bp.response(201, PurchaseOut)
@bp.alt_response(404, schema=ErrorOut, description="unknown_member, member_code_expired")
@bp.alt_response(409, schema=ErrorOut, description="idempotency_conflict")
@bp.alt_response(422, schema=ErrorOut, description="invalid_amount, invalid_request")
def create_purchase(data: dict):
    """Report a purchase: earns points and growth for the member. Safe to retry."""
    order_ref = data["order_ref"]
    key = _request_key(f"order:{order_ref}")
    fingerprint = request_fingerprint("POST", request.path, request.get_json(silent=True) or {})
    client = require_client()
    reported = ReportedBy(key, fingerprint, services.PURCHASE_UNANSWERED, {"client_id": client.id})
    try:
        result = purchases.record_purchase(
            None, data["amount_cents"], order_ref, source=f"api:{client.id}", actor=client,
            now=utcnow(), note=data.get("note"), store=data.get("store"),
            member_code=parse_code(data["member"]), reported=reported,
        )  # fmt: skip
    except DuplicatePurchase:
        first = services.purchase_answer(client.id, key, order_ref, fingerprint)
        if first is None:
            raise
        return _answer(first)
    except DomainError as error:
        # A refusal is the answer to this key, unless the key already names a purchase.
        first = services.purchase_answer(client.id, key, order_ref, fingerprint)
        if first is None:
            first = services.answer_error(client.id, key, fingerprint, None, error)
        return _answer(first)
    body = purchase_body(result, result.member_no, order_ref)
    return _answer(services.Answer(201, PURCHASE_OUT.dump(body), False))


def paid_membership(member_id: int) -> dict | None:
    """The paid card as the till applies it now: only while it is active at this moment."""
    benefits = active_benefits(member_id, utcnow())
    if benefits is None:
        return None
    return {
        "plan": benefits.plan_code,
        "discount_bps": benefits.discount_bps,
        "paid_until": benefits.paid_until,
    }


def purchase_body(result, member_no: str, order_ref: str) -> dict:
    old, _, new = (result.tier_changed or "").partition("->")
    return {
        "purchase_id": result.purchase_id,
        "order_ref": order_ref,
        "member_no": member_no,
        "points_earned": result.points_earned,
        "growth_earned": result.growth_earned,
        "balance": result.balance,
        "tier": result.tier_code,
        "tier_change": {"old": old, "new": new} if new else None,
    }


@bp.post("/purchases/<order_ref>/refunds")
@bp.arguments(PurchasePath(), location="path", as_kwargs=True)
@bp.arguments(RefundIn())
@bp.response(201, RefundOut)
@bp.alt_response(404, schema=ErrorOut, description="unknown_purchase")
@bp.alt_response(409, schema=ErrorOut, description="idempotency_conflict")
@bp.alt_response(422, schema=ErrorOut, description="refund_exceeds_purchase, invalid_amount")
def create_refund(data: dict, order_ref: str):
    """Refund all or part of a reported purchase: takes back points and growth. Safe to retry.

    The refund that leaves the purchase fully refunded also takes back the growth of the
    member's review of it (once)."""
    client = require_client()

    def compute() -> tuple[int, dict]:
        purchase = purchase_queries.purchase_by_ref(f"api:{client.id}", order_ref)
        if purchase is None:
            raise UnknownPurchase()
        result = purchases.record_refund(
            purchase.id,
            data["amount_cents"],
            refund_ref=data["refund_ref"],
            actor=client,
            now=utcnow(),
        )
        return 201, REFUND_OUT.dump(
            {
                "refund_id": result.refund_id,
                "order_ref": order_ref,
                "points_taken": result.points_taken,
                "growth_taken": result.growth_lost,
                "review_growth_taken": result.review_growth_taken,
                "balance": result.balance,
            }
        )

    answer = services.answer_once(
        client.id,
        _request_key(f"refund:{order_ref}:{data['refund_ref']}"),
        request_fingerprint("POST", request.path, request.get_json(silent=True) or {}),
        compute,
        resource=f"refund:{order_ref}:{data['refund_ref']}",
    )
    return _answer(answer)


__all__ = ["bp", "ErrorOut"]
