"""What every event handler shares: the processor's latest state, the outcome, and "once"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from memberportal.memberships import rules
from memberportal.memberships.models import Membership
from memberportal.memberships.services import apply_subscription_state
from memberportal.payments import events as payment_events


@dataclass
class Context:
    """What the processor says now, fetched before the transaction opens."""

    subscription: dict | None = None
    invoice: dict | None = None  # the invoice a refunded or disputed payment paid


@dataclass
class Outcome:
    outcome: str  # applied, no_change, unmatched, ignored
    membership: Membership | None = None
    note: str | None = None


def first_time(key: str, event: dict) -> bool:
    return payment_events.first_time(key, event["id"])


def apply_latest(context: Context, now: datetime) -> tuple[Membership | None, bool]:
    if not context.subscription:
        return None, False
    return apply_subscription_state(rules.subscription_state(context.subscription), now=now)
