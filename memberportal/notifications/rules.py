"""Pure rules of notifications: which category an event is in, the default channels, the
retry schedule and the scheduler's slots. No database here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

KINDS = {
    "points.expiring": "points",
    "points.expired": "points",
    "tier.up": "tier",
    "tier.down": "tier",
    "mall.order_ready": "mall",
    "mall.order_shipped": "mall",
    "mall.order_cancelled": "mall",
    "membership.renewed": "membership",
    "membership.payment_failed": "membership",
    "membership.ending": "membership",
    "coupon.issued": "coupon",
    "coupon.expiring": "coupon",
    "wallet.topup_credited": "wallet",
    "wallet.payment_taken": "wallet",
    "wallet.payment_refunded": "wallet",
    "wallet.topup_refunded": "wallet",
    "wallet.frozen": "wallet",
}

# Until a member chooses, the in-app centre and e-mail are on, texts are off.
DEFAULT_CHANNELS = {"inapp": True, "email": True, "sms": False}

# Seconds before the n-th retry (1-based): doubling from 30 s, at most 6 hours apart.
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 6 * 3600
# How long a delivery is retried before it is given up as failed.
GIVE_UP_AFTER = {
    "email": timedelta(days=1),
    "sms": timedelta(days=1),
    "webhook": timedelta(days=3),
}


def category_of(kind: str) -> str:
    return KINDS[kind]


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 30 s after the first failure, doubling, capped at 6 hours."""
    seconds = FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, MAX_RETRY_SECONDS))


def next_attempt(channel: str, created_at: datetime, attempts: int, now: datetime):
    """When to try again after `attempts` failures, or None when it is time to give up."""
    at = now + retry_delay(attempts)
    if at - created_at > GIVE_UP_AFTER.get(channel, timedelta(days=1)):
        return None
    return at


@dataclass(frozen=True)
class Schedule:
    """A recurring job: the CLI command it runs and when, in the brand's time zone: daily at
    `at`, or every `every_minutes`."""

    name: str
    command: tuple[str, ...]
    at: time | None = None
    every_minutes: int | None = None


def slot(schedule: Schedule, local_now: datetime) -> str | None:
    """The run a job owes at this brand-local moment, or None if it owes none yet today.

    A daily job's slot is the brand-local date once its time has come (a scheduler that was
    down at that time still runs it later that day); an interval job's slot is the number of
    its intervals since midnight, with the date."""
    if schedule.at is not None:
        return local_now.date().isoformat() if local_now.time() >= schedule.at else None
    minutes = local_now.hour * 60 + local_now.minute
    return f"{local_now.date().isoformat()}/{minutes // schedule.every_minutes}"
