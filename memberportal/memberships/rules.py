"""Pure rules of the paid membership: reading Stripe's object shapes, status, grace. No DB."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from memberportal.payments.rules import stripe_id

GRACE = timedelta(days=1)


def card_discount_bps(plan_bps: int, tier_bps: int) -> int:
    """The discount a paid-card holder gets at the till: the better of the plan's own and the
    one the member's tier gives card holders (95/85/75折 for VIP2-4 in the reference
    program), in basis points."""
    return max(plan_bps, tier_bps)


# Stripe subscription status -> our status. None: not (yet) a membership, change nothing.
STRIPE_STATUS = {
    "active": "active",
    "trialing": "trialing",
    "past_due": "past_due",
    "unpaid": "ended",
    "canceled": "ended",
    "incomplete_expired": "ended",
    "incomplete": None,
    "paused": None,
}


@dataclass(frozen=True)
class SubscriptionState:
    """The parts of a Stripe subscription that decide the membership."""

    subscription_id: str
    customer_id: str | None
    status: str | None
    period_start: datetime | None
    period_end: datetime | None
    cancel_at_period_end: bool
    renewal_amount_cents: int | None
    member_id: int | None
    plan_code: str | None


def ts(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value else None


def subscription_state(sub: dict) -> SubscriptionState:
    """Read the current API shape: periods live on the subscription items."""
    items = (sub.get("items") or {}).get("data") or []
    starts = [i.get("current_period_start") for i in items if i.get("current_period_start")]
    ends = [i.get("current_period_end") for i in items if i.get("current_period_end")]
    amounts = [
        ((i.get("price") or {}).get("unit_amount") or 0) * (i.get("quantity") or 1) for i in items
    ]
    metadata = sub.get("metadata") or {}
    member = str(metadata.get("member_id") or "")
    return SubscriptionState(
        subscription_id=sub["id"],
        customer_id=stripe_id(sub.get("customer")),
        status=STRIPE_STATUS.get(sub.get("status") or ""),
        period_start=ts(min(starts)) if starts else None,
        period_end=ts(max(ends)) if ends else None,
        cancel_at_period_end=bool(sub.get("cancel_at_period_end")),
        renewal_amount_cents=sum(amounts) if amounts else None,
        member_id=int(member) if member.isdigit() else None,
        plan_code=metadata.get("plan_code") or None,
    )


def invoice_subscription_id(invoice: dict) -> str | None:
    """The current API names an invoice's subscription under parent.subscription_details."""
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    if parent.get("type") == "subscription_details" and details.get("subscription"):
        return stripe_id(details["subscription"])
    return None


def invoice_period(invoice: dict) -> tuple[datetime | None, datetime | None]:
    """The service period the invoice paid for: its subscription line's period."""
    for line in (invoice.get("lines") or {}).get("data") or []:
        parent = line.get("parent") or {}
        if parent.get("type") == "subscription_item_details" and line.get("period"):
            return ts(line["period"].get("start")), ts(line["period"].get("end"))
    return None, None


def is_full_refund(charge: dict) -> bool:
    return bool(charge.get("refunded")) or (
        charge.get("amount", 0) > 0 and charge.get("amount_refunded", 0) >= charge["amount"]
    )


def covers_current_period(paid_period_end: datetime | None, current_end: datetime | None) -> bool:
    """A refunded payment is for the current period when it paid up to (or past) its end."""
    if paid_period_end is None or current_end is None:
        return False
    return paid_period_end >= current_end


def entitled_until(period_end: datetime | None) -> datetime | None:
    """Benefits last until the period end plus a day's grace (renewal may land late)."""
    return period_end + GRACE if period_end else None


def dispute_outcome(status: str) -> str | None:
    """A closed dispute's status -> 'won' (restore) or 'lost' (revoke)."""
    if status in ("won", "warning_closed"):
        return "won"
    if status == "lost":
        return "lost"
    return None
