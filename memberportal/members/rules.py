"""Pure calculations about a member's standing."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime


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


# The rotating member code (the card's QR code and digits): the member number followed by an
# 8-digit keyed MAC of the member's card secret and the current 30-second step. The card page
# fetches a new one every step; the counter accepts a code for CODE_STEPS_VALID steps (90-120
# seconds after it was first shown), so a screenshot or photo of a card is useless soon after.
CODE_STEP_SECONDS = 30
CODE_STEPS_VALID = 4
CODE_MAC_DIGITS = 8


def code_step(now: datetime) -> int:
    return int(now.timestamp()) // CODE_STEP_SECONDS


def code_valid_until(step: int) -> datetime:
    """The last moment a code made at `step` is accepted."""
    return datetime.fromtimestamp((step + CODE_STEPS_VALID) * CODE_STEP_SECONDS, UTC)


def rotating_code(key: bytes, member_no: str, card_secret: str, step: int) -> str:
    """The digits a member shows at `step`: their member number and the step's MAC."""
    message = f"{member_no}:{card_secret}:{step}".encode()
    mac = hmac.new(key, message, hashlib.sha256).digest()
    number = int.from_bytes(mac[:8], "big") % 10**CODE_MAC_DIGITS
    return f"{member_no}{number:0{CODE_MAC_DIGITS}d}"


def split_rotating_code(code: str) -> str | None:
    """The member number a rotating code names, or None when `code` is not shaped like one
    (a member number alone has 10 digits, a rotating code 18)."""
    if not code.isascii() or not code.isdigit() or len(code) < CODE_MAC_DIGITS + 10:
        return None
    return code[:-CODE_MAC_DIGITS]


def code_is_current(key: bytes, member_no: str, card_secret: str, code: str, now: datetime):
    """Whether `code` was made for this member within the last CODE_STEPS_VALID steps."""
    step = code_step(now)
    return any(
        hmac.compare_digest(rotating_code(key, member_no, card_secret, s), code)
        for s in range(step - CODE_STEPS_VALID + 1, step + 1)
    )


def display_code(code: str) -> str:
    """Groups of four digits, easier to read out and type: 1234 5678 9012 3456 78."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))
