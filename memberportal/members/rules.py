"""Pure calculations about a member's standing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class TierProgress:
    percent: int  # 0-100, for the progress bar
    remaining: int  # growth still needed for the next tier; 0 at the top


def tier_progress(growth: int, current_threshold: int, next_threshold: int | None) -> TierProgress:
    """How far a member is from the current tier's threshold towards the next one."""
    if next_threshold is None:
        return TierProgress(percent=100, remaining=0)
    span = max(next_threshold - current_threshold, 1)
    done = min(max(growth - current_threshold, 0), span)
    return TierProgress(percent=done * 100 // span, remaining=max(next_threshold - growth, 0))


# The privacy notice and user agreement a member accepts on joining; a new text is a new version.
CONSENT_VERSION = "2026-12"
EARLIEST_BIRTHDAY = date(1900, 1, 1)


def birthday_problem(birthday: date, today: date) -> str | None:
    """Why a birthday cannot be right: 'future' or 'too_early'; None when it can."""
    if birthday > today:
        return "future"
    if birthday < EARLIEST_BIRTHDAY:
        return "too_early"
    return None
