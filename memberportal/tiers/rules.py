"""Tier arithmetic: spend plus capped interactions against each threshold. No database."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Rung:
    """A tier as a purchase's context reads it with the member (purchases.queries): what
    earning and moving up need, in the shape of a Tier for the code that moves members."""

    id: int
    code: str
    rank: int
    name_zh: str
    name_en: str
    growth_threshold: int
    points_multiplier_pct: int
    retired_at: object  # datetime | None


@dataclass(frozen=True)
class TierStep:
    rank: int
    threshold: int


def interaction_cap(threshold: int, cap_pct: int) -> int:
    """How much of `threshold` interactions may supply (the 6:4 rule: 40%)."""
    return threshold * cap_pct // 100


def counted_growth(spend: int, interaction: int, threshold: int, cap_pct: int) -> int:
    """Growth as counted towards one threshold: interactions only up to their cap."""
    return max(spend, 0) + min(max(interaction, 0), interaction_cap(threshold, cap_pct))


def reachable_rank(spend: int, interaction: int, tiers: Sequence[TierStep], cap_pct: int) -> int:
    """The highest rank whose threshold the counted growth reaches (the lowest rank always)."""
    ordered = sorted(tiers, key=lambda t: t.rank)
    best = ordered[0].rank
    for step in ordered:
        if counted_growth(spend, interaction, step.threshold, cap_pct) >= step.threshold:
            best = step.rank
    return best


def interactions_still_allowed(interaction: int, next_threshold: int | None, cap_pct: int) -> int:
    """Interaction growth that still counts towards the next tier (0 at the top)."""
    if next_threshold is None:
        return 0
    return max(interaction_cap(next_threshold, cap_pct) - max(interaction, 0), 0)


def display_growth(spend: int, interaction: int, next_threshold: int | None, cap_pct: int) -> int:
    """The single growth figure shown on the card: counted towards the next tier's threshold."""
    if next_threshold is None:
        return max(spend, 0) + max(interaction, 0)
    return counted_growth(spend, interaction, next_threshold, cap_pct)


def next_threshold(rank: int, tiers: Sequence[TierStep]) -> int | None:
    """The threshold of the next tier above `rank` (None at the top)."""
    higher = [step.threshold for step in tiers if step.rank > rank]
    return min(higher) if higher else None


# The tiers editor's rules over the ladder, as pure functions (tiers.editor applies them).
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
CODE = re.compile(r"^[A-Z0-9_-]{1,16}$")
MAX_THRESHOLD = 10**9


@dataclass(frozen=True)
class LadderRung:
    """A tier as the ladder rule sees it."""

    tier_id: int | None
    threshold: int
    retired: bool


def ladder_problem(rungs: Sequence[LadderRung]) -> str | None:
    """Why this ladder is not allowed ('entry' or 'threshold_taken'), or None.

    Active tiers form one line: exactly one entry tier at threshold 0 and every other threshold
    distinct (ranks follow thresholds, so both strictly increase together).
    """
    active = [rung.threshold for rung in rungs if not rung.retired]
    if not active:
        return None
    if len(set(active)) != len(active):
        return "threshold_taken"
    if min(active) != 0:
        return "entry"
    return None


def ranked(rungs: Sequence[LadderRung]) -> list[int | None]:
    """Tier ids in rank order: by threshold, an active tier before a retired one at the same
    threshold, then by id (a new tier, id None, last)."""
    order = sorted(
        rungs,
        key=lambda r: (r.threshold, r.retired, r.tier_id is None, r.tier_id or 0),
    )
    return [rung.tier_id for rung in order]


@dataclass(frozen=True)
class SignInReward:
    points: int
    growth: int
    bonus: bool


def sign_in_reward(
    streak: int, *, points: int, growth: int, bonus_days: int, bonus_points: int,
    bonus_growth: int,
) -> SignInReward:  # fmt: skip
    """What the sign-in on day `streak` of a run of consecutive days earns: the daily points
    and growth, plus the bonus on every `bonus_days`-th day of the run (7, 14, 21...)."""
    bonus = bonus_days > 0 and streak % bonus_days == 0
    return SignInReward(
        points + (bonus_points if bonus else 0), growth + (bonus_growth if bonus else 0), bonus
    )


def current_streak(last_day, last_streak: int, today) -> int:
    """The streak the card shows today: the last sign-in's run while it is still alive (signed
    in today or yesterday), else 0."""
    if last_day is None or (today - last_day).days > 1:
        return 0
    return last_streak
