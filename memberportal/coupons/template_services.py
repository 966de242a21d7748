"""Coupon templates, as the merchant sets them up: create, edit, deactivate (audited).

The same rules hold in coupons.rules (checked here first, with the field named) and in the
CHECK constraints of the coupon_templates table."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from memberportal.audit import services as audit
from memberportal.core.db import use_case
from memberportal.core.errors import NotFound
from memberportal.coupons import rules
from memberportal.coupons.errors import TEMPLATE_PROBLEMS, TemplateRuleBroken
from memberportal.coupons.models import CouponTemplate
from memberportal.extensions import db
from memberportal.tiers.models import Tier


@dataclass
class TemplateInput:
    """What a merchant sets on a coupon template (the form's cleaned data)."""

    name_zh: str
    name_en: str
    amount_cents: int
    min_spend_cents: int
    valid_days: int
    # The tier reached (tier coupons) or the lowest tier that receives it (birthday and
    # member day; None: every member); never for the paid card.
    tier_id: int | None = None
    source: str = "tier"  # "tier", "paid" (the paid card), "birthday", "member_day", "mall"
    per_quarter: bool = False  # paid card only: once per calendar quarter, not per period


def _check(data: TemplateInput) -> None:
    problem = rules.template_problem(
        data.amount_cents, data.min_spend_cents, data.valid_days
    ) or rules.source_problem(data.source, data.tier_id, data.per_quarter, data.valid_days)
    if not (data.name_zh.strip() and data.name_en.strip()):
        problem = "name"
    elif data.tier_id is not None and db.session.get(Tier, data.tier_id) is None:
        problem = "tier"
    if problem:
        raise TemplateRuleBroken(TEMPLATE_PROBLEMS[problem], field=problem)


def _template(template_id: int) -> CouponTemplate:
    template = db.session.get(CouponTemplate, template_id)
    if template is None:
        raise NotFound()
    return template


@use_case
def create_template(data: TemplateInput, *, actor, now: datetime) -> CouponTemplate:
    """Create an active coupon template. Checks the settings first (amount > 0, a threshold of
    0 or above the amount, 1-3650 days, an existing tier, no tier for the paid card, the
    quarterly flag only for paid-card coupons, exactly 1 day for member-day coupons and at most
    31 for birthday ones) and writes nothing when one is wrong (TemplateRuleBroken, naming the
    setting); the CHECK constraints hold the same rules. Writes the template and an audit row."""
    _check(data)
    fields = {**asdict(data), "name_zh": data.name_zh.strip(), "name_en": data.name_en.strip()}
    template = CouponTemplate(**fields, active=True, created_at=now, updated_at=now)
    db.session.add(template)
    db.session.flush()
    audit.record(
        "coupon_template.created",
        actor=actor,
        subject_type="coupon_template",
        subject_id=template.id,
        **fields,
    )
    return template


@use_case
def update_template(template_id: int, data: TemplateInput, *, actor, now: datetime):
    """Edit a template. Coupons already issued keep what they were issued with (amount,
    threshold, expiry). Raises NotFound, TemplateRuleBroken; audits the fields changed."""
    template = _template(template_id)
    _check(data)
    after = {**asdict(data), "name_zh": data.name_zh.strip(), "name_en": data.name_en.strip()}
    changed = {
        key: [getattr(template, key), value]
        for key, value in after.items()
        if getattr(template, key) != value
    }
    for key, value in after.items():
        setattr(template, key, value)
    template.updated_at = now
    audit.record(
        "coupon_template.updated",
        actor=actor,
        subject_type="coupon_template",
        subject_id=template.id,
        changed=changed,
    )
    return template


@use_case
def set_template_active(template_id: int, active: bool, *, actor, now: datetime):
    """Deactivate a template (no new coupons are issued from it; coupons held stay valid) or
    activate it again. Audited; raises NotFound."""
    template = _template(template_id)
    template.active = active
    template.updated_at = now
    audit.record(
        "coupon_template.activated" if active else "coupon_template.deactivated",
        actor=actor,
        subject_type="coupon_template",
        subject_id=template.id,
    )
    return template
