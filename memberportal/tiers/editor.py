"""The owner's tiers editor: create, edit, retire and delete tiers.

Ranks follow thresholds: every change renumbers the ladder by threshold, so ranks and
thresholds strictly increase together and only the entry tier sits at growth 0 (the rule in
tiers.rules.ladder_problem, backed by UNIQUE indexes on rank and on the active thresholds).
Changes are made with the ladder's rows locked, so two owners editing at once apply one after
the other. Members are moved by the periodic job (tiers.services.reevaluate), which the editor
runs after a threshold change or a retirement.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import exc, func, select, update

from memberportal.audit import services as audit
from memberportal.core.db import use_case
from memberportal.core.errors import DomainError, NotFound, ValidationFailed
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.tiers.models import Tier, TierChange
from memberportal.tiers.rules import (
    CODE,
    COLOUR,
    MAX_THRESHOLD,
    LadderRung,
    ladder_problem,
    ranked,
)

FIELDS = (
    "code", "name_zh", "name_en", "growth_threshold", "points_multiplier_pct",
    "paid_discount_bps", "benefits_zh", "benefits_en", "colour",
)  # fmt: skip


class TierRuleBroken(ValidationFailed):
    """A value the ladder does not allow; `field` names the form field it is about."""

    code = "tier_rule_broken"

    def __init__(self, field: str, message):
        super().__init__(message)
        self.field = field


class UnknownTier(NotFound):
    code = "unknown_tier"
    default_message = _l("No such tier.")


class TierInUse(DomainError):
    code = "tier_in_use"
    status = 409
    default_message = _l("This tier has or had members: retire it instead of deleting it.")


MESSAGES = {
    "entry": (
        "growth_threshold",
        _l("The entry tier's threshold is 0: exactly one active tier starts at 0."),
    ),
    "threshold_taken": ("growth_threshold", _l("Another active tier already has this threshold.")),
}


def _check_values(values: dict) -> dict:
    """Shape and ranges of one tier's values (the CHECKs back them); cleaned values."""
    clean = dict(values)
    for key in ("code", "name_zh", "name_en", "benefits_zh", "benefits_en", "colour"):
        if key in clean:
            clean[key] = (clean[key] or "").strip()
    if "code" in clean:
        clean["code"] = clean["code"].upper()
        if not CODE.match(clean["code"]):
            raise TierRuleBroken("code", _l("Use 1-16 capital letters, digits, - or _."))
    for key in ("name_zh", "name_en"):
        if key in clean and not 1 <= len(clean[key]) <= 64:
            raise TierRuleBroken(key, _l("Enter a name of at most 64 characters."))
    if "growth_threshold" in clean and not 0 <= clean["growth_threshold"] <= MAX_THRESHOLD:
        raise TierRuleBroken("growth_threshold", _l("Enter a threshold of 0 or more."))
    if "points_multiplier_pct" in clean and not 100 <= clean["points_multiplier_pct"] <= 1000:
        raise TierRuleBroken("points_multiplier_pct", _l("Enter a multiplier from 100% to 1000%."))
    if "paid_discount_bps" in clean and not 0 <= clean["paid_discount_bps"] <= 10000:
        raise TierRuleBroken("paid_discount_bps", _l("Enter a discount from 0% to 100%."))
    if "colour" in clean and not COLOUR.match(clean["colour"]):
        raise TierRuleBroken("colour", _l("Pick a colour such as #c0a060."))
    unknown = set(clean) - set(FIELDS)
    if unknown:
        raise ValidationFailed()
    return clean


def _locked_ladder() -> list[Tier]:
    """Every tier, rows locked in id order (a fixed order: two editors never deadlock)."""
    return list(db.session.scalars(select(Tier).order_by(Tier.id).with_for_update()))


def _check_ladder(tiers: list[Tier], changed: Tier | None, values: dict) -> None:
    rungs = []
    for tier in tiers:
        threshold = tier.growth_threshold
        if changed is not None and tier.id == changed.id:
            threshold = values.get("growth_threshold", threshold)
        rungs.append(LadderRung(tier.id, threshold, tier.retired_at is not None))
    if changed is None:
        rungs.append(LadderRung(None, values["growth_threshold"], False))
    problem = ladder_problem(rungs)
    if problem:
        raise TierRuleBroken(*MESSAGES[problem])
    code = values.get("code")
    if code and any(t.code == code and t is not changed for t in tiers):
        raise TierRuleBroken("code", _l("Another tier already has this code."))


def _renumber(tiers: list[Tier]) -> None:
    """Ranks 1..n by threshold, in two statements so UNIQUE(rank) holds after each row."""
    rungs = [LadderRung(t.id, t.growth_threshold, t.retired_at is not None) for t in tiers]
    order = {tier_id: rank for rank, tier_id in enumerate(ranked(rungs), start=1)}
    table = Tier.__table__
    for tier in tiers:
        db.session.execute(update(table).where(table.c.id == tier.id).values(rank=-order[tier.id]))
    db.session.execute(update(table).where(table.c.rank < 0).values(rank=-table.c.rank))
    db.session.expire_all()


def _snapshot(tier: Tier) -> dict:
    return {field: getattr(tier, field) for field in FIELDS}


@use_case
def create_tier(*, actor, now: datetime, **values) -> Tier:
    """A new tier at its place in the ladder. Raises TierRuleBroken."""
    clean = _check_values(values)
    missing = [f for f in ("code", "name_zh", "name_en", "growth_threshold") if f not in clean]
    if missing:
        raise TierRuleBroken(missing[0], _l("This field is required."))
    tiers = _locked_ladder()
    _check_ladder(tiers, None, clean)
    top = db.session.scalar(select(func.max(Tier.rank))) or 0
    tier = Tier(rank=top + 1, **clean)
    db.session.add(tier)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except exc.IntegrityError:
        raise TierRuleBroken("code", _l("Another tier already has this code.")) from None
    _renumber([*tiers, tier])
    tier = db.session.get(Tier, tier.id)
    audit.record(
        "tier.created", actor=actor, subject_type="tier", subject_id=tier.id,
        before={}, after=_snapshot(tier),
    )  # fmt: skip
    return tier


@use_case
def update_tier(tier_id: int, *, actor, now: datetime, **values) -> tuple[Tier, bool]:
    """Change a tier; (tier, whether members may need to move). Raises UnknownTier,
    TierRuleBroken."""
    clean = _check_values(values)
    tiers = _locked_ladder()
    tier = next((t for t in tiers if t.id == tier_id), None)
    if tier is None:
        raise UnknownTier()
    if tier.retired_at is not None and "growth_threshold" in clean:
        clean["growth_threshold"] = tier.growth_threshold  # off the ladder: nothing to move
    _check_ladder(tiers, tier, clean)
    before = _snapshot(tier)
    for field, value in clean.items():
        setattr(tier, field, value)
    db.session.flush()
    _renumber(tiers)
    tier = db.session.get(Tier, tier_id)
    after = _snapshot(tier)
    changed = {f for f in FIELDS if before[f] != after[f]}
    if changed:
        audit.record(
            "tier.updated", actor=actor, subject_type="tier", subject_id=tier.id,
            before={f: before[f] for f in sorted(changed)},
            after={f: after[f] for f in sorted(changed)},
        )  # fmt: skip
    return tier, "growth_threshold" in changed


@use_case
def retire_tier(tier_id: int, *, actor, now: datetime) -> Tier:
    """Take a tier off the ladder (its members move at the next reevaluation, which the
    editor runs at once). The entry tier cannot be retired. Raises UnknownTier,
    TierRuleBroken."""
    tiers = _locked_ladder()
    tier = next((t for t in tiers if t.id == tier_id), None)
    if tier is None:
        raise UnknownTier()
    if tier.retired_at is not None:
        return tier
    rungs = [
        LadderRung(t.id, t.growth_threshold, t.retired_at is not None or t.id == tier_id)
        for t in tiers
    ]
    if ladder_problem(rungs) or not any(not r.retired for r in rungs):
        raise TierRuleBroken("growth_threshold", _l("The entry tier cannot be retired."))
    tier.retired_at = now
    db.session.flush()
    _renumber(tiers)
    audit.record(
        "tier.retired", actor=actor, subject_type="tier", subject_id=tier_id,
        before={"retired": False}, after={"retired": True}, code=tier.code,
    )  # fmt: skip
    return db.session.get(Tier, tier_id)


@use_case
def delete_tier(tier_id: int, *, actor) -> None:
    """Delete a tier no member has ever held (else TierInUse). Raises UnknownTier."""
    tiers = _locked_ladder()
    tier = next((t for t in tiers if t.id == tier_id), None)
    if tier is None:
        raise UnknownTier()
    held = db.session.scalar(select(Member.id).where(Member.tier_id == tier_id).limit(1))
    moved = db.session.scalar(
        select(TierChange.id)
        .where((TierChange.from_tier_id == tier_id) | (TierChange.to_tier_id == tier_id))
        .limit(1)
    )
    if held is not None or moved is not None:
        raise TierInUse()
    others = [t for t in tiers if t.id != tier_id]
    rungs = [LadderRung(t.id, t.growth_threshold, t.retired_at is not None) for t in others]
    if others and ladder_problem(rungs):
        raise TierRuleBroken(
            "growth_threshold", _l("The entry tier cannot be deleted while other tiers exist.")
        )
    snapshot = _snapshot(tier)
    try:
        with db.session.begin_nested():
            db.session.delete(tier)
            db.session.flush()
    except exc.IntegrityError:  # a coupon template or mall item still points at it
        raise TierInUse(_l("Coupons or mall items use this tier: retire it instead.")) from None
    _renumber(others)
    audit.record(
        "tier.deleted", actor=actor, subject_type="tier", subject_id=tier_id,
        before=snapshot, after={},
    )  # fmt: skip
