"""Request and response shapes. The same schemas validate requests and produce the OpenAPI
document, so the docs cannot drift from what the API accepts."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from memberportal.core.money import MAX_CENTS


def _printable(value: str) -> None:
    # PostgreSQL text cannot hold NUL, and no reference or name needs control characters.
    if any((ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) == 127 for ch in value):
        raise ValidationError("Control characters are not allowed.")


class Text(fields.String):
    """A string without control characters."""

    def __init__(self, *args, validate=None, **kwargs):
        checks = [_printable] + ([validate] if validate else [])
        super().__init__(*args, validate=checks, **kwargs)


class LineItemSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    sku = Text(validate=validate.Length(max=64))
    name = Text(validate=validate.Length(max=200))
    quantity = fields.Integer(strict=True, validate=validate.Range(min=1, max=100000))
    amount_cents = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_CENTS))


class PurchaseIn(Schema):
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
        metadata={"description": "Amount paid, in fen (1 yuan = 100)."},
    )
    store = Text(validate=validate.Length(max=100), load_default=None)
    note = Text(validate=validate.Length(max=500), load_default=None)
    items = fields.List(fields.Nested(LineItemSchema), validate=validate.Length(max=500))


class TierChangeOut(Schema):
    old = fields.String(required=True)
    new = fields.String(required=True)


class PurchaseOut(Schema):
    purchase_id = fields.Integer(required=True)
    order_ref = fields.String(required=True)
    member_no = fields.String(required=True)
    points_earned = fields.Integer(required=True)
    growth_earned = fields.Integer(required=True)
    balance = fields.Integer(required=True)
    tier = fields.String(required=True)
    tier_change = fields.Nested(TierChangeOut, allow_none=True)


class RefundIn(Schema):
    amount_cents = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_CENTS)
    )
    refund_ref = Text(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "Your refund reference; unique per purchase."},
    )


class RefundOut(Schema):
    refund_id = fields.Integer(required=True)
    order_ref = fields.String(required=True)
    points_taken = fields.Integer(required=True)
    growth_taken = fields.Integer(
        required=True,
        metadata={
            "description": "All the growth the member lost by this refund: the purchase's "
            "growth in proportion to the amount refunded, plus, when this refund leaves the "
            "purchase fully refunded, the growth the member's review of it had earned "
            "(review_growth_taken). The tier is not lowered at once."
        },
    )
    review_growth_taken = fields.Integer(
        required=True,
        metadata={
            "description": "The part of growth_taken that was the review's growth: not 0 only "
            "on the refund that leaves a reviewed purchase fully refunded."
        },
    )
    balance = fields.Integer(required=True)


class PaidMembershipOut(Schema):
    plan = fields.String(required=True)
    discount_bps = fields.Integer(required=True)
    paid_until = fields.DateTime(required=True)


class DiscountOut(Schema):
    kind = fields.String(
        required=True, metadata={"description": "paid_card or member_day: the one that applies."}
    )
    discount_bps = fields.Integer(required=True, metadata={"description": "1000 = 10% off."})


class MemberOut(Schema):
    member_no = fields.String(required=True)
    display_name = fields.String(required=True, metadata={"description": "Masked name."})
    tier = fields.String(required=True)
    tier_name = fields.String(required=True)
    points_balance = fields.Integer(required=True)
    paid_membership = fields.Nested(PaidMembershipOut, allow_none=True)
    discount = fields.Nested(
        DiscountOut, allow_none=True, metadata={"description": "The discount the till gives now."}
    )
    identified_by = fields.String(
        metadata={"description": "code (the card's rotating code), member_no or phone."}
    )
    phone_last_digits = fields.String(
        allow_none=True,
        metadata={"description": "With a typed member number: ask the member for these."},
    )


class ErrorOut(Schema):
    error = fields.String(required=True, metadata={"description": "Stable machine code."})
    message = fields.String(required=True)
    details = fields.Dict()


class MemberPath(Schema):
    code = Text(required=True, validate=validate.Length(min=1, max=64))


class PurchasePath(Schema):
    order_ref = Text(required=True, validate=validate.Length(min=1, max=64))


COUPON_STATUSES = ("issued", "used", "void", "expired")


class CouponPath(Schema):
    code = Text(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "The coupon code as shown or scanned; spaces, dashes and "
                  "letter case are ignored."},
    )  # fmt: skip


class CouponQuery(Schema):
    order_amount_cents = fields.Integer(
        validate=validate.Range(min=1, max=MAX_CENTS),
        load_default=None,
        metadata={"description": "The order's amount in fen: checks the minimum spend too. "
                  "Without it, `usable` only says whether the coupon is still issued and valid."},
    )  # fmt: skip


class RefusalOut(Schema):
    error = fields.String(
        required=True,
        metadata={"description": "coupon_used, coupon_expired or coupon_min_spend_not_met: "
                  "the code a redemption would be refused with."},
    )  # fmt: skip
    message = fields.String(required=True)


class CouponOut(Schema):
    code = fields.String(required=True)
    member_no = fields.String(required=True, metadata={"description": "Whose coupon it is."})
    name = fields.String(required=True)
    amount_off_cents = fields.Integer(required=True)
    min_spend_cents = fields.Integer(
        required=True, metadata={"description": "0: no minimum spend."}
    )
    valid_until = fields.DateTime(
        required=True, metadata={"description": "The last moment it can be used (UTC)."}
    )
    last_valid_day = fields.Date(
        required=True, metadata={"description": "The last day it can be used, in the brand's "
                                 "time zone (what the member's coupon says)."}
    )  # fmt: skip
    status = fields.String(
        required=True,
        validate=validate.OneOf(COUPON_STATUSES),
        metadata={
            "description": "issued (can be used), used, void (its points-mall order was cancelled) "
            "or expired."
        },
    )
    used_at = fields.DateTime(allow_none=True)


class CouponCheckOut(CouponOut):
    order_amount_cents = fields.Integer(allow_none=True)
    usable = fields.Boolean(
        required=True,
        metadata={"description": "Whether a redemption on this order would be accepted now."},
    )
    refusal = fields.Nested(RefusalOut, allow_none=True)


class RedemptionIn(Schema):
    order_ref = Text(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "Your order reference: the same one replays the first answer."},
    )
    order_amount_cents = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=MAX_CENTS),
        metadata={"description": "The order's amount in fen, before the coupon."},
    )


class RedemptionOut(Schema):
    order_ref = fields.String(required=True)
    order_amount_cents = fields.Integer(required=True)
    amount_off_cents = fields.Integer(required=True)
    coupon = fields.Nested(CouponOut, required=True)
