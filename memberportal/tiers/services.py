"""Growth and tiers: up at once when growth reaches a threshold, down only by the periodic job."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, bindparam, case, func, insert, select, update

from memberportal.audit import services as audit
from memberportal.core.clock import local_date, start_of_day
from memberportal.core.db import use_case
from memberportal.core.errors import ValidationFailed
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.notifications import outbox
from memberportal.points.rules import add_months
from memberportal.points.services import program_rules
from memberportal.purchases.models import Purchase
from memberportal.tiers.models import GrowthEntry, Tier, TierChange
from memberportal.tiers.rules import (
    TierStep,
    display_growth,
    interaction_cap,
    next_threshold,
    reachable_rank,
)

members = Member.__table__
# Statements every earning runs, built once; the values come as parameters.
INSERT_GROWTH = insert(GrowthEntry.__table__)
INSERT_TIER_CHANGE = insert(TierChange.__table__)
SHOW_GROWTH = (
    update(members).where(members.c.id == bindparam("member")).values(growth=bindparam("shown"))
)
LADDER = select(Tier).order_by(Tier.rank)
INTERACTIONS = ("sign_in", "profile", "review", "share")


class UnknownInteraction(ValidationFailed):
    code = "unknown_interaction"
    default_message = _l("This kind of interaction earns no growth.")


@dataclass(frozen=True)
class TierMove:
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.old}->{self.new}"


def _ladder() -> list[Tier]:
    """Every tier, retired ones too, lowest rank first."""
    return list(db.session.scalars(LADDER))


# What a change of growth returns of the member's row: the counters, and the tier they move.
GROWTH_RETURNING = (members.c.growth_spend, members.c.growth_interaction, members.c.tier_id)


def growth_values(kind: str, amount: int) -> dict:
    """The member's growth counter after adding `amount` (never below zero), as the SET
    clause of an UPDATE of the member's row (add_growth's own, or a caller's that writes the
    row once for several areas, such as a purchase's credit)."""
    column = members.c.growth_spend if kind == "spend" else members.c.growth_interaction
    return {column.name: case((column + amount < 0, 0), else_=column + amount)}


def spend_values(amount: int, tier, ladder, cap_pct: int) -> dict:
    """growth_values for spend growth, with the growth the card shows computed in the same
    UPDATE for a member who stays on `tier` (the ladder and cap as a purchase's context read
    them): growth_added then writes the row again only if the tier moves."""
    return _spend_values(amount, _interaction_allowed(tier, ladder, cap_pct))


def spend_params(amount: int, tier, ladder, cap_pct: int) -> tuple[bool, dict]:
    """spend_values for a statement built once: whether the interactions are capped (the
    key of bound_spend_values) and the values of its parameters."""
    allowed = _interaction_allowed(tier, ladder, cap_pct)
    return allowed is not None, {"spend_growth": amount, "interaction_allowed": allowed}


@functools.cache
def bound_spend_values(capped: bool) -> dict:
    """spend_values with the amount and the interactions' cap as bind parameters."""
    return _spend_values(
        bindparam("spend_growth", type_=Integer()),
        bindparam("interaction_allowed", type_=Integer()) if capped else None,
    )


def _interaction_allowed(tier, ladder, cap_pct: int) -> int | None:
    """How much interaction growth counts towards the tier above `tier` (None at the top)."""
    steps = [TierStep(t.rank, t.growth_threshold) for t in ladder if t.retired_at is None]
    above = next_threshold(tier.rank, steps)
    return None if above is None else interaction_cap(above, cap_pct)


def _spend_values(amount, allowed) -> dict:
    column, interaction = members.c.growth_spend, members.c.growth_interaction
    spend = case((column + amount < 0, 0), else_=column + amount)
    if allowed is None:
        counted = interaction
    else:
        counted = case((interaction < allowed, interaction), else_=allowed)
    return {"growth_spend": spend, "growth": spend + case((interaction < 0, 0), else_=counted)}


def write_growth(member_id: int, values: dict, returning: tuple) -> tuple:
    """Lock the member's row, writing `values` (spend_values) if any; return the points
    balance and the `returning` columns as locked (a purchase that earns no points)."""
    row = db.session.execute(
        update(members)
        .where(members.c.id == member_id)
        .values(values or {"growth_spend": members.c.growth_spend})
        .returning(members.c.points_balance, *returning)
    ).first()
    if row is None:
        from memberportal.points.errors import UnknownMember

        raise UnknownMember()
    return tuple(row)


@use_case
def add_growth(
    member_id: int, amount: int, *, kind: str, cause: str, source_type: str | None,
    source_id: int | None, actor, now: datetime,
) -> TierMove | None:  # fmt: skip
    """Add (or, negative, take back) spend or interaction growth; move up at once if reached.

    Writes a dated growth entry, the member's growth counters (never below zero) and, on an
    upgrade, the tier with a tier_changes row and an audit row. A negative amount never moves
    a member down (that is the periodic job's, at the end of the qualification period).
    Concurrency: counters change by UPDATE ... SET x = x + n; the move is a conditional
    UPDATE on the tier the member had, so concurrent earnings move a member once.
    """
    if not amount:
        return None
    row = db.session.execute(
        update(members)
        .where(members.c.id == member_id)
        .values(growth_values(kind, amount))
        .returning(*GROWTH_RETURNING)
    ).one()
    return growth_added(
        member_id, amount, tuple(row), kind=kind, cause=cause, source_type=source_type,
        source_id=source_id, actor=actor, now=now,
    )  # fmt: skip


@use_case
def growth_added(
    member_id: int, amount: int, counters: tuple, *, kind: str, cause: str,
    source_type: str | None, source_id: int | None, actor, now: datetime,
    settled: Settled | None = None, entry: bool = True,
) -> TierMove | None:  # fmt: skip
    """The rest of add_growth once `growth_values` was written in an UPDATE of the member's
    row that locked it and returned GROWTH_RETURNING as `counters`: the dated growth entry,
    the displayed growth and the tier (up at once when reached).

    A purchase's spend growth has no entry of its own (`entry=False`): the purchase row is
    its record (it keeps the growth it earned and its date; `_recount` adds it). A purchase
    passes the outcome it planned from its context (`settle`, with the growth spend_values
    wrote)."""
    if entry:
        db.session.execute(
            INSERT_GROWTH,
            dict(member_id=member_id, kind=kind, cause=cause, amount=amount,
                 source_type=source_type, source_id=source_id, at=now),
        )  # fmt: skip
    if settled is not None:
        return apply_settled(member_id, settled, actor=actor, now=now)
    spend, interaction, tier_id = counters
    return _settle(member_id, spend, interaction, tier_id, actor=actor, now=now, upgrade_only=True)


@dataclass(frozen=True)
class Settled:
    """Where growth leaves a member (settle): the counters, the tier they are on and the one
    they move to (None: they stay), the growth to show, and whether it is already written."""

    spend: int
    interaction: int
    current: object  # Tier or tiers.rules.Rung
    target: object | None
    shown: int
    shown_staying: int  # what the card shows if the move does not happen after all
    shown_written: bool = False


def settle(
    spend: int, interaction: int, tier_id: int, ladder, cap_pct: int, *,
    upgrade_only: bool = True, shown_written: int | None = None,
) -> Settled:  # fmt: skip
    """The tier the counters reach on `ladder` (every tier, retired too) and the growth the
    card then shows. No database. `shown_written`: the growth an UPDATE already wrote for a
    member staying on their tier (spend_values)."""
    steps = [TierStep(t.rank, t.growth_threshold) for t in ladder if t.retired_at is None]
    by_rank = {t.rank: t for t in ladder}
    current = next(t for t in ladder if t.id == tier_id)
    target_rank = reachable_rank(spend, interaction, steps, cap_pct)
    # A member on a retired tier moves to the tier their growth reaches at once, either way.
    may_go_down = not upgrade_only or current.retired_at is not None
    moves = target_rank > current.rank or (may_go_down and target_rank != current.rank)
    staying = display_growth(spend, interaction, next_threshold(current.rank, steps), cap_pct)
    shown = display_growth(spend, interaction, next_threshold(target_rank, steps), cap_pct)
    return Settled(spend, interaction, current, by_rank[target_rank] if moves else None,
                   shown if moves else staying, staying,
                   shown_written=not moves and shown_written == staying)  # fmt: skip


def apply_settled(member_id: int, settled: Settled, *, actor, now, upgrade_only: bool = True):
    """Write what `settle` found: the move (conditional on the tier the member had), or the
    growth to show when it is not written yet."""
    move = None
    if settled.target is not None:
        move = _move(member_id, settled.current, settled.target, settled.spend,
                     settled.interaction, actor, now, growth=settled.shown)  # fmt: skip
    shown = settled.shown if move else settled.shown_staying
    if not move and not settled.shown_written:
        db.session.execute(SHOW_GROWTH, {"member": member_id, "shown": shown})
    tier = settled.target if move else settled.current
    if upgrade_only and (move or settled.target is None) and isinstance(tier, Tier):
        # The row was locked by the growth UPDATE that returned these values.
        _remember(member_id, growth_spend=settled.spend, growth_interaction=settled.interaction,
                  growth=shown, tier_id=tier.id, tier=tier)  # fmt: skip
        if move:
            _remember(member_id, tier_since=now)
    else:
        _forget(member_id)
    return move


def _settle(member_id, spend, interaction, tier_id, *, actor, now, upgrade_only):
    """Refresh the displayed growth; move the member to the tier the growth reaches (one
    UPDATE of the member's row either way)."""
    settled = settle(spend, interaction, tier_id, _ladder(), program_rules().interaction_cap_pct,
                     upgrade_only=upgrade_only)  # fmt: skip
    return apply_settled(member_id, settled, actor=actor, now=now, upgrade_only=upgrade_only)


def _forget(member_id: int) -> None:
    from memberportal.points.rows import forget_member as forget

    forget(member_id)


def _remember(member_id: int, **values) -> None:
    from memberportal.points.rows import remember_member as remember

    remember(member_id, **values)


def _move(
    member_id, old: Tier, new: Tier, spend, interaction, actor, now, *, growth: int
) -> TierMove | None:
    """Move the member from `old` to `new` (conditional on `old`), showing `growth`."""
    moved = db.session.execute(
        update(members)
        .where(members.c.id == member_id, members.c.tier_id == old.id)
        .values(tier_id=new.id, tier_since=now, growth=growth)
    ).rowcount
    if not moved:
        return None
    cause = "growth" if new.rank > old.rank else "reevaluation"
    db.session.execute(
        INSERT_TIER_CHANGE,
        dict(member_id=member_id, from_tier_id=old.id, to_tier_id=new.id, cause=cause,
             growth_spend=spend, growth_interaction=interaction,
             actor_label=actor.audit_label, at=now),
    )  # fmt: skip
    audit.record(
        "tier.changed", actor=actor, subject_type="member", subject_id=member_id,
        reason=cause, old=old.code, new=new.code, growth_spend=spend,
        growth_interaction=interaction,
    )  # fmt: skip
    outbox.tier_moved(member_id, old, new, now)
    return TierMove(old.code, new.code)


@use_case
def record_interaction(
    member_id: int, kind: str, growth: int, *, actor, now: datetime, source_id: int | None = None
) -> TierMove | None:
    """Growth from an interaction (sign_in, profile, review, share).

    Recorded in full; only the program's share of each threshold counts towards it (the
    counting happens in tiers.rules). Raises UnknownInteraction, ValidationFailed.
    """
    if kind not in INTERACTIONS:
        raise UnknownInteraction()
    if growth <= 0:
        raise ValidationFailed()
    return add_growth(
        member_id, growth, kind="interaction", cause=kind, source_type=kind,
        source_id=source_id, actor=actor, now=now,
    )  # fmt: skip


@use_case
def reevaluate(now: datetime, *, actor) -> dict[str, int]:
    """The periodic job: recount growth over the rolling qualification period, then settle
    members whose tier period has ended (down if their growth no longer reaches it).

    A member keeps a tier until the end of the qualification period in which it was reached;
    after that a new period starts (tier_since moves on). Writes counters set-based in SQL,
    tier moves and tier_changes rows for the members whose period ended. Safe to re-run:
    moves are conditional on the tier and period the member had.
    """
    months = program_rules().qualification_months
    since = start_of_day(add_months(local_date(now), -months))
    _recount(since)
    ended = db.session.execute(
        select(Member.id, Member.tier_id, Member.growth_spend, Member.growth_interaction)
        .where(func.coalesce(Member.tier_since, Member.joined_at) <= since)
        .order_by(Member.id)
    ).all()
    moved = 0
    for member_id, tier_id, spend, interaction in ended:
        settled = _settle(
            member_id, spend, interaction, tier_id, actor=actor, now=now, upgrade_only=False
        )
        if settled:
            moved += 1
        else:
            db.session.execute(
                update(members).where(members.c.id == member_id).values(tier_since=now)
            )
    moved += _move_to_reachable(now, actor=actor, cap=program_rules().interaction_cap_pct)
    db.session.expire_all()
    return {"ended_periods": len(ended), "moved": moved}


def _move_to_reachable(now: datetime, *, actor, cap: int) -> int:
    """Members whose growth now reaches a higher tier (a threshold was lowered) move up at
    once; members on a retired tier move to the tier their growth reaches. Which members is
    answered in one statement over the ladder; each move is then the conditional one above."""
    ladder = Tier.__table__.alias("ladder")
    current = Tier.__table__.alias("current")
    interaction_counted = case(
        (
            members.c.growth_interaction < ladder.c.growth_threshold * cap // 100,
            members.c.growth_interaction,
        ),
        else_=ladder.c.growth_threshold * cap // 100,
    )
    reachable = (
        select(func.max(ladder.c.rank))
        .where(
            ladder.c.retired_at.is_(None),
            members.c.growth_spend + interaction_counted >= ladder.c.growth_threshold,
        )
        .scalar_subquery()
    )
    candidates = (
        db.session.execute(
            select(members.c.id)
            .join(current, current.c.id == members.c.tier_id)
            .where((current.c.retired_at.is_not(None)) | (reachable > current.c.rank))
            .order_by(members.c.id)
        )
        .scalars()
        .all()
    )
    moved = 0
    for member_id in candidates:
        row = db.session.execute(
            select(members.c.growth_spend, members.c.growth_interaction, members.c.tier_id)
            .where(members.c.id == member_id)
            .with_for_update()
        ).one()
        if _settle(member_id, *row, actor=actor, now=now, upgrade_only=True):
            moved += 1
    return moved


RECOUNT_BATCH = 1000


def _recount(since: datetime) -> None:
    """Set every member's growth counters to the sum of their entries (and purchases) inside
    the period.

    Members are taken in id order, a batch at a time: the batch's rows are locked first
    (SELECT ... FOR UPDATE), then counted by a set-based UPDATE in a new statement. On
    PostgreSQL each statement reads a fresh snapshot, so a purchase or refund that held a
    member's row commits before the count reads its entries, and one that comes after waits
    for this job and adds to the recounted value: no committed growth is lost. (A single
    UPDATE with the sums as subqueries would count over the snapshot it started with and
    overwrite what committed while it waited for a row.) The fixed order keeps two runs from
    deadlocking. SQLite serialises writers, so there the lock is a no-op.
    """

    def total(kind: str):
        return func.coalesce(
            select(func.sum(GrowthEntry.amount))
            .where(
                GrowthEntry.member_id == members.c.id,
                GrowthEntry.kind == kind,
                GrowthEntry.at > since,
            )
            .scalar_subquery(),
            0,
        )

    # A purchase's spend growth is kept on the purchase (growth_added); refunds are entries.
    bought = func.coalesce(
        select(func.sum(Purchase.growth_earned))
        .where(Purchase.member_id == members.c.id, Purchase.at > since)
        .scalar_subquery(),
        0,
    )
    spend, interaction = total("spend") + bought, total("interaction")
    after = 0
    while True:
        batch = db.session.scalars(
            select(members.c.id)
            .where(members.c.id > after)
            .order_by(members.c.id)
            .limit(RECOUNT_BATCH)
            .with_for_update()
        ).all()
        if not batch:
            return
        db.session.execute(
            update(members)
            .where(members.c.id.in_(batch))
            .values(
                growth_spend=case((spend < 0, 0), else_=spend),
                growth_interaction=case((interaction < 0, 0), else_=interaction),
            )
        )
        after = batch[-1]
