"""Pure rules of a checkout at the till: the card discount, then a coupon, then what is paid."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime


def discount_cents(order_cents: int, bps: int) -> int:
    """The card discount in fen, rounded half up (a 5% discount on 0.10 yuan is 0.01)."""
    return (order_cents * bps + 5_000) // 10_000


DISCOUNT_KINDS = ("paid_card", "member_day")


def best_discount(offers: list[tuple[str, int]]) -> tuple[str | None, int]:
    """The one discount that applies (they do not stack): the largest rate offered, the first
    offered on a tie; (None, 0) when none is above zero."""
    kind, bps = None, 0
    for offered, rate in offers:
        if rate > bps:
            kind, bps = offered, rate
    return kind, bps


@dataclass(frozen=True)
class Bill:
    """An order at the till: its amount, the paid card's discount, a coupon, what is paid.

    The coupon's minimum spend is checked against the amount after the discount (what the
    goods cost the member), and a coupon never takes more than that amount."""

    order_cents: int
    discount_bps: int = 0
    coupon_cents: int = 0
    discount_kind: str | None = None  # "paid_card", "member_day" (see best_discount)

    @property
    def discount_cents(self) -> int:
        return discount_cents(self.order_cents, self.discount_bps)

    @property
    def after_discount_cents(self) -> int:
        return self.order_cents - self.discount_cents

    @property
    def coupon_taken_cents(self) -> int:
        return min(self.coupon_cents, self.after_discount_cents)

    @property
    def paid_cents(self) -> int:
        return self.after_discount_cents - self.coupon_taken_cents


def new_order_ref(now: datetime) -> str:
    """A reference for a till that has none: the local-free UTC time and 4 random hex digits,
    short enough to read out ("T20261206-093015-3fa2")."""
    return f"T{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
