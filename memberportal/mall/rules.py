"""Pure mall rules: why a member cannot redeem, order totals, the order state machine."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

PAYMENT_HOLD = timedelta(minutes=30)
MAX_PER_ORDER = 10


class Reason(enum.StrEnum):
    """Why a member cannot redeem an item now; the order is the order they are shown in."""

    NOT_ON_SALE = "not_on_sale"
    NOT_YET = "not_yet"
    ENDED = "ended"
    SOLD_OUT = "sold_out"
    TIER_TOO_LOW = "tier_too_low"
    PAID_CARD_NEEDED = "paid_card_needed"
    LIMIT_REACHED = "limit_reached"
    NOT_ENOUGH_POINTS = "not_enough_points"

    @property
    def message(self):
        return REASON_MESSAGES[self]


REASON_MESSAGES = {
    Reason.NOT_ON_SALE: _l("Not on sale."),
    Reason.NOT_YET: _l("Not yet on sale."),
    Reason.ENDED: _l("The offer has ended."),
    Reason.SOLD_OUT: _l("Sold out."),
    Reason.TIER_TOO_LOW: _l("Your tier is too low for this item."),
    Reason.PAID_CARD_NEEDED: _l("Only for members with the paid card."),
    Reason.LIMIT_REACHED: _l("You have reached the limit for this item."),
    Reason.NOT_ENOUGH_POINTS: _l("Not enough points."),
}


@dataclass(frozen=True)
class ItemFacts:
    state: str
    stock: int
    points_price: int
    sale_starts_at: datetime | None = None
    sale_ends_at: datetime | None = None
    min_tier_rank: int | None = None
    paid_only: bool = False
    per_member_limit: int | None = None


@dataclass(frozen=True)
class MemberFacts:
    tier_rank: int
    balance: int
    has_paid_card: bool = False
    already_redeemed: int = 0


def window_reason(item: ItemFacts, now: datetime) -> Reason | None:
    if item.state != "on_sale":
        return Reason.NOT_ON_SALE
    if item.sale_starts_at is not None and now < item.sale_starts_at:
        return Reason.NOT_YET
    if item.sale_ends_at is not None and now >= item.sale_ends_at:
        return Reason.ENDED
    return None


def reasons_not_redeemable(
    item: ItemFacts, member: MemberFacts, now: datetime, quantity: int = 1
) -> list[Reason]:
    """Every reason the member cannot redeem `quantity` units now (empty: they can)."""
    reasons = []
    if (window := window_reason(item, now)) is not None:
        reasons.append(window)
    if item.stock < quantity:
        reasons.append(Reason.SOLD_OUT)
    if item.min_tier_rank is not None and member.tier_rank < item.min_tier_rank:
        reasons.append(Reason.TIER_TOO_LOW)
    if item.paid_only and not member.has_paid_card:
        reasons.append(Reason.PAID_CARD_NEEDED)
    if (
        item.per_member_limit is not None
        and member.already_redeemed + quantity > item.per_member_limit
    ):
        reasons.append(Reason.LIMIT_REACHED)
    if member.balance < item.points_price * quantity:
        reasons.append(Reason.NOT_ENOUGH_POINTS)
    return reasons


def points_missing(item: ItemFacts, member: MemberFacts, quantity: int = 1) -> int:
    """How many more points the member needs for `quantity` units (0 when they have them)."""
    return max(item.points_price * quantity - member.balance, 0)


def max_quantity(item: ItemFacts, already_redeemed: int) -> int:
    """How many units one order may take: the limit left, the stock, and a sane cap."""
    cap = min(MAX_PER_ORDER, item.stock)
    if item.per_member_limit is not None:
        cap = min(cap, item.per_member_limit - already_redeemed)
    return max(cap, 0)


def totals(points_price: int, cash_cents: int, quantity: int) -> tuple[int, int]:
    """(points, cash cents) an order of `quantity` units costs."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    return points_price * quantity, cash_cents * quantity


ADDRESS_LIMITS = {"name": 40, "phone": 20, "address": 200}
PHONE_RE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")
# C0/C1 controls, DEL and the Unicode line/paragraph separators: none belongs on a label.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class ShippingAddress:
    """Where a shipped item goes; stored on the order as three lines (no field may hold a
    line break, so the lines split back unambiguously)."""

    name: str
    phone: str
    address: str

    def as_text(self) -> str:
        return "\n".join((self.name, self.phone, self.address))

    @classmethod
    def from_text(cls, text: str | None) -> ShippingAddress | None:
        parts = (text or "").split("\n")
        return cls(*parts) if len(parts) == 3 else None


def clean_address(name: str, phone: str, address: str) -> ShippingAddress:
    """Trim the outer spaces of each field (what a person would not notice typing)."""
    return ShippingAddress((name or "").strip(), (phone or "").strip(), (address or "").strip())


def address_problems(shipping: ShippingAddress) -> list[str]:
    """The fields that are missing, too long or hold control characters (empty: fine)."""
    bad = []
    for field, limit in ADDRESS_LIMITS.items():
        value = getattr(shipping, field)
        if not value or len(value) > limit or CONTROL_RE.search(value):
            bad.append(field)
    if "phone" not in bad and not PHONE_RE.match(shipping.phone):
        bad.append("phone")
    return bad


def status_when_paid(kind: str) -> str:
    """Where an order goes once nothing is left to pay."""
    return {
        "pickup": "ready_for_pickup",
        "shipped": "placed",
        "virtual_code": "fulfilled",
        "coupon": "fulfilled",
    }[kind]


def first_status(kind: str, cash_cents: int) -> str:
    return "awaiting_payment" if cash_cents > 0 else status_when_paid(kind)


CANCELLABLE = ("awaiting_payment", "placed", "ready_for_pickup")


def can_cancel(status: str, coupon_state: str | None = None) -> bool:
    """Orders not yet handed over, shipped or delivered as a code can be cancelled; a coupon
    item's order also once fulfilled, as long as its coupon is unused (it is then voided)."""
    return status in CANCELLABLE or (status == "fulfilled" and coupon_state == "issued")


STATUS_LABELS = {
    "awaiting_payment": _l("Awaiting payment"),
    "placed": _l("Placed"),
    "ready_for_pickup": _l("Ready for pickup"),
    "shipped": _l("Shipped"),
    "fulfilled": _l("Fulfilled"),
    "cancelled": _l("Cancelled"),
}

KIND_LABELS = {
    "pickup": _l("Pick up in store"),
    "shipped": _l("Shipped to you"),
    "virtual_code": _l("Virtual code"),
    "coupon": _l("Coupon"),
}

STATE_LABELS = {
    "draft": _l("Draft"),
    "on_sale": _l("On sale"),
    "withdrawn": _l("Withdrawn"),
}

REFUND_LABELS = {
    "owed": _l("Refund being arranged"),
    "requested": _l("Refund requested"),
    "refunded": _l("Refunded"),
}
