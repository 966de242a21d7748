"""The owner's stored-value set-up: top-up plans and the "tier tied to balance" option.
Every change is audited with the values before and after."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from memberportal.audit import services as audit
from memberportal.core.db import insert_once, use_case
from memberportal.core.errors import NotFound
from memberportal.core.money import MAX_CENTS
from memberportal.extensions import db
from memberportal.wallet.errors import PlanRuleBroken
from memberportal.wallet.models import BalanceTier, TopUpPlan, WalletSettings


@dataclass(frozen=True)
class PlanInput:
    name_zh: str
    name_en: str
    pay_cents: int
    bonus_cents: int = 0
    bonus_points: int = 0
    min_tier_id: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    active: bool = True


def _check(values: PlanInput) -> dict:
    clean = asdict(values)
    clean["name_zh"], clean["name_en"] = values.name_zh.strip(), values.name_en.strip()
    if not clean["name_zh"] and not clean["name_en"]:
        raise PlanRuleBroken("name_zh", _l("Give the plan a name."))
    if not 0 < values.pay_cents <= MAX_CENTS:
        raise PlanRuleBroken("pay", _l("The amount paid must be more than zero."))
    if not 0 <= values.bonus_cents <= values.pay_cents:
        raise PlanRuleBroken("bonus", _l("The bonus can be from zero up to the amount paid."))
    if not 0 <= values.bonus_points <= 1_000_000:
        raise PlanRuleBroken("bonus_points", _l("Bonus points can be from 0 to 1,000,000."))
    if values.starts_at and values.ends_at and values.ends_at <= values.starts_at:
        raise PlanRuleBroken("ends_on", _l("The end must be after the start."))
    return clean


def _snapshot(plan: TopUpPlan) -> dict:
    return {
        "name_zh": plan.name_zh, "name_en": plan.name_en, "pay_cents": plan.pay_cents,
        "bonus_cents": plan.bonus_cents, "bonus_points": plan.bonus_points,
        "min_tier_id": plan.min_tier_id, "active": plan.active,
        "starts_at": plan.starts_at.isoformat() if plan.starts_at else None,
        "ends_at": plan.ends_at.isoformat() if plan.ends_at else None,
    }  # fmt: skip


@use_case
def save_plan(plan_id: int | None, values: PlanInput, *, actor, now: datetime) -> TopUpPlan:
    """Create (plan_id None) or change a top-up plan. Top-ups already started keep the
    amounts they were started with. Raises PlanRuleBroken, NotFound. Audited before/after."""
    clean = _check(values)
    if plan_id is None:
        plan, before = TopUpPlan(created_at=now, **clean), None
        db.session.add(plan)
    else:
        plan = db.session.get(TopUpPlan, plan_id)
        if plan is None:
            raise NotFound()
        before = _snapshot(plan)
        for key, value in clean.items():
            setattr(plan, key, value)
    db.session.flush()
    audit.record("wallet.plan_saved", actor=actor, subject_type="wallet_plan",
                 subject_id=plan.id, before=before, after=_snapshot(plan))  # fmt: skip
    return plan


def settings() -> WalletSettings:
    return db.session.get(WalletSettings, 1) or WalletSettings(id=1, tier_needs_balance=False)


@use_case
def save_settings(tier_needs_balance: bool, tier_ids: list[int], *, actor) -> None:
    """Turn "tier tied to balance" (余额为0时自动降级) on or off and choose the tiers whose
    benefits need a stored balance. Audited before/after."""
    before = settings()
    before_values = {"on": before.tier_needs_balance, "tiers": _balance_tier_ids()}
    insert_once(WalletSettings, id=1, tier_needs_balance=False)
    db.session.execute(
        db.update(WalletSettings).where(WalletSettings.id == 1)
        .values(tier_needs_balance=bool(tier_needs_balance))
    )  # fmt: skip
    db.session.execute(delete(BalanceTier))
    for tier_id in sorted(set(tier_ids)):
        db.session.add(BalanceTier(tier_id=tier_id))
    db.session.flush()
    after = {"on": bool(tier_needs_balance), "tiers": sorted(set(tier_ids))}
    audit.record("wallet.settings_saved", actor=actor, subject_type="wallet_settings",
                 subject_id=1, before=before_values, after=after)  # fmt: skip


def _balance_tier_ids() -> list[int]:
    return sorted(db.session.scalars(db.select(BalanceTier.tier_id)))
