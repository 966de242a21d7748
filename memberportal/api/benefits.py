"""What a till needs to know about the member's paid card."""

from __future__ import annotations

from datetime import datetime


def paid_membership(member_id: int, now: datetime) -> dict | None:
    return None
