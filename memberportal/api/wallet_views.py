"""/api/v1/stored-value: a till pays from a member's stored balance (储值), refunds such a
payment, and reads the balance.

The payment is the counter's (wallet.services.spend: the wallet row's conditional UPDATE),
with the API client as the actor. Answers are stored under their request key like purchases,
so a retry replays the first answer; the same order reference under another key replays it
too when the request is the same, and is a 409 idempotency_conflict when it is not.

Statuses: 404 unknown_member / unknown_payment; 409 wallet_frozen (a dispute of one of the
member's top-ups is open) and idempotency_conflict; 422 insufficient_balance,
refund_exceeds_payment, invalid_amount, invalid_request."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from memberportal.api import services
from memberportal.api.rules import request_fingerprint
from memberportal.api.schemas import ErrorOut, MemberPath, Text
from memberportal.api.views import (
    _answer,
    _request_key,
    bp,
    require_client,
)
from memberportal.core.clock import utcnow
from memberportal.core.errors import NotFound
from memberportal.core.money import MAX_CENTS
from memberportal.members.queries import find_member, member_by_id
from memberportal.points.errors import UnknownMember
from memberportal.wallet import queries as wallet_queries
from memberportal.wallet import services as wallet
from memberportal.wallet.errors import DuplicatePayment, DuplicateRefund, UnknownPayment


class StoredValuePaymentIn(Schema):
    member = Text(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "Member number, card code (scanned) or phone."},
    )
    order_ref = Text(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "Your order reference; unique per API client."},
    )
    amount_cents = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=MAX_CENTS),
        metadata={"description": "Amount to pay from the stored balance, in fen."},
    )


class BalanceOut(Schema):
    member_no = fields.String(required=True)
    balance_cents = fields.Integer(required=True, metadata={"description": "Principal + bonus."})
    principal_cents = fields.Integer(required=True)
    bonus_cents = fields.Integer(required=True)
    frozen = fields.Boolean(
        required=True, metadata={"description": "A dispute is open: payments are refused."}
    )


class StoredValuePaymentOut(Schema):
    payment_id = fields.Integer(required=True)
    order_ref = fields.String(required=True)
    amount_cents = fields.Integer(required=True)
    principal_cents = fields.Integer(
        required=True,
        metadata={"description": "The part taken from principal: the payment takes principal "
                  "and bonus in the proportion the balance holds them (bonus floored)."},
    )  # fmt: skip
    bonus_cents = fields.Integer(required=True)
    balance = fields.Nested(BalanceOut, required=True)


class StoredValueRefundIn(Schema):
    amount_cents = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_CENTS)
    )
    refund_ref = Text(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "Your refund reference; unique per payment."},
    )


class StoredValueRefundOut(Schema):
    refund_id = fields.Integer(required=True)
    order_ref = fields.String(required=True)
    amount_cents = fields.Integer(required=True)
    principal_cents = fields.Integer(required=True)
    bonus_cents = fields.Integer(required=True)
    balance = fields.Nested(BalanceOut, required=True)


class PaymentPath(Schema):
    order_ref = Text(required=True, validate=validate.Length(min=1, max=64))


PAYMENT_OUT, REFUND_OUT, BALANCE_OUT = StoredValuePaymentOut(), StoredValueRefundOut(), BalanceOut()
REF_CONFLICT = _l("This order reference was already paid with a different request.")


def balance_body(member) -> dict:
    found = wallet_queries.wallet_of(member.id)
    return {
        "member_no": member.member_no,
        "balance_cents": found.total_cents,
        "principal_cents": found.principal_cents,
        "bonus_cents": found.bonus_cents,
        "frozen": found.frozen,
    }


@bp.get("/stored-value/balances/<code>")
@bp.arguments(MemberPath(), location="path", as_kwargs=True)
@bp.response(200, BalanceOut)
@bp.alt_response(404, schema=ErrorOut, description="unknown_member")
def stored_value_balance(code: str):
    """A member's stored balance (principal and bonus apart). Changes nothing."""
    member = find_member(code)
    if member is None:
        raise UnknownMember()
    return balance_body(member)


@bp.post("/stored-value/payments")
@bp.arguments(StoredValuePaymentIn())
@bp.response(201, StoredValuePaymentOut)
@bp.alt_response(404, schema=ErrorOut, description="unknown_member")
@bp.alt_response(409, schema=ErrorOut, description="wallet_frozen, idempotency_conflict")
@bp.alt_response(
    422, schema=ErrorOut, description="insufficient_balance, invalid_amount, invalid_request"
)
def create_stored_value_payment(data: dict):
    """Pay from a member's stored balance at a till. Safe to retry."""
    client = require_client()
    order_ref = data["order_ref"]
    resource = f"stored-value:{order_ref}"
    fingerprint = request_fingerprint("POST", request.path, request.get_json(silent=True) or {})

    def compute() -> tuple[int, dict]:
        member = find_member(data["member"])
        if member is None:
            raise UnknownMember()
        try:
            spent = wallet.spend(
                member.id, data["amount_cents"], source=f"api:{client.id}",
                order_ref=order_ref, actor=client, now=utcnow(),
            )  # fmt: skip
        except DuplicatePayment:
            first = services.first_answer_for(
                client.id, resource, fingerprint, status=201, conflict=REF_CONFLICT
            )
            if first is None:
                raise
            return first.status, first.body
        body = {
            "payment_id": spent.id,
            "order_ref": order_ref,
            "amount_cents": spent.amount_cents,
            "principal_cents": spent.principal_cents,
            "bonus_cents": spent.bonus_cents,
            "balance": balance_body(member),
        }
        return 201, PAYMENT_OUT.dump(body)

    answer = services.answer_once(
        client.id, _request_key(f"stored-value:{order_ref}"), fingerprint, compute,
        resource=resource,
    )  # fmt: skip
    return _answer(answer)


@bp.post("/stored-value/payments/<order_ref>/refunds")
@bp.arguments(PaymentPath(), location="path", as_kwargs=True)
@bp.arguments(StoredValueRefundIn())
@bp.response(201, StoredValueRefundOut)
@bp.alt_response(404, schema=ErrorOut, description="unknown_payment")
@bp.alt_response(409, schema=ErrorOut, description="idempotency_conflict")
@bp.alt_response(
    422, schema=ErrorOut, description="refund_exceeds_payment, invalid_amount, invalid_request"
)
def create_stored_value_refund(data: dict, order_ref: str):
    """Refund all or part of a stored-value payment to the balance, principal and bonus in
    the payment's own proportion. Safe to retry."""
    client = require_client()
    key = f"stored-value-refund:{order_ref}:{data['refund_ref']}"
    fingerprint = request_fingerprint("POST", request.path, request.get_json(silent=True) or {})

    def compute() -> tuple[int, dict]:
        spent = wallet_queries.spend_by_ref(f"api:{client.id}", order_ref)
        if spent is None:
            raise UnknownPayment()
        try:
            refunded = wallet.refund_spend(
                spent.id, data["amount_cents"], refund_ref=data["refund_ref"], actor=client,
                now=utcnow(),
            )  # fmt: skip
        except DuplicateRefund:
            first = services.first_answer_for(client.id, key, fingerprint, status=201)
            if first is None:
                raise
            return first.status, first.body
        except NotFound:
            raise UnknownPayment() from None
        body = {
            "refund_id": refunded.id,
            "order_ref": order_ref,
            "amount_cents": refunded.amount_cents,
            "principal_cents": refunded.principal_cents,
            "bonus_cents": refunded.bonus_cents,
            "balance": balance_body(member_by_id(spent.member_id)),
        }
        return 201, REFUND_OUT.dump(body)

    answer = services.answer_once(client.id, _request_key(key), fingerprint, compute, resource=key)
    return _answer(answer)
