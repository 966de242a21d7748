"""Tier arithmetic: spend plus capped interactions against each threshold. No database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


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
