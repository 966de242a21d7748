"""Pure rules about the processor's objects. No DB."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

# What the processor is told a checkout session lives (Stripe's minimum is 30 minutes).
CHECKOUT_SESSION_TTL = timedelta(minutes=31)


def stripe_id(value: Any) -> str | None:
    """A reference may be an id or an expanded object."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None
