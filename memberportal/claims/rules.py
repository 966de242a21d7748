"""What may be claimed: a purchase within the last 30 brand-local days, not in the future."""

from __future__ import annotations

from datetime import date

CLAIM_WINDOW_DAYS = 30
SOURCE = "claim"  # the purchases.source of a purchase recorded by an approved claim


def day_problem(purchased_on: date, today: date) -> str | None:
    """'future' or 'too_old' when the purchase day cannot be claimed, else None."""
    if purchased_on > today:
        return "future"
    if (today - purchased_on).days > CLAIM_WINDOW_DAYS:
        return "too_old"
    return None


def order_ref(claim_id: int) -> str:
    """The order reference of the purchase a claim records: UNIQUE with the source, so a claim
    can be recorded once however it is approved."""
    return f"claim-{claim_id}"
