"""Points use cases around the ledger: program rules, multipliers, staff adjustments."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from memberportal.audit import services as audit
from memberportal.core.clock import end_of_day, local_date
from memberportal.core.db import use_case
from memberportal.core.errors import ValidationFailed
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.memberships import queries as memberships
from memberportal.points import ledger
from memberportal.points.errors import UnknownMember
from memberportal.points.models import ProgramRules
from memberportal.points.rules import ExpiryPolicy, expiry_day, is_member_day

DEFAULT_RULES = {
    "rate_pct": 100,
    "expiry_policy": "rolling",
    "expiry_months": 12,
    "clearing_month": 12,
    "clearing_day": 31,
    "clearing_years_after": 1,
    "interaction_cap_pct": 40,
    "qualification_months": 12,
    "member_day": None,
    "member_day_multiplier_pct": 200,
    "sign_in_growth": 5,
    "profile_growth": 20,
    "review_growth": 10,
    "referral_points": 100,
    "share_growth": 10,
}


class ReasonRequired(ValidationFailed):
    code = "reason_required"
    default_message = _l("Give a reason for the adjustment.")


def program_rules() -> ProgramRules:
    """The saved rules, or the defaults (not saved) before the owner has edited them.

    Read once per session (a request, a command): one purchase consults them several times.
    """
    rules = db.session.info.get("program_rules")
    if rules is None:
        rules = db.session.get(ProgramRules, 1) or ProgramRules(id=1, **DEFAULT_RULES)
        db.session.info["program_rules"] = rules
    return rules


def rules_from_row(row: dict) -> ProgramRules:
    """Rules read by a caller's own query (None when the owner never saved any): an unsaved,
    detached object, like the defaults."""
    saved = row.get("rate_pct") is not None
    return ProgramRules(id=1, **({f: row[f] for f in DEFAULT_RULES} if saved else DEFAULT_RULES))


def expiry_for(now: datetime, rules: ProgramRules | None = None) -> datetime:
    """When points earned at `now` expire: the end of that day in the brand's time zone."""
    rules = rules or program_rules()
    policy = ExpiryPolicy(
        policy=rules.expiry_policy,
        months=rules.expiry_months,
        clearing_month=rules.clearing_month,
        clearing_day=rules.clearing_day,
        years_after=rules.clearing_years_after,
    )
    return end_of_day(expiry_day(local_date(now), policy))


def applicable_multipliers(member: Member, now: datetime) -> list[int]:
    """Every multiplier (in %) that applies to `member` at `now`; earning uses the best one.

    Sources: the tier, the monthly member day, and the paid card (see _paid_card_multipliers).
    """
    return multipliers_at(
        now, program_rules(), member.tier.points_multiplier_pct,
        _paid_card_multipliers(member.id, now),
    )  # fmt: skip


def multipliers_at(now: datetime, rules, tier_pct: int, card_pcts: list[int]) -> list[int]:
    """The multipliers that apply at `now` given the member's tier and paid-card multipliers
    (already read): the tier's, the member day's when today is one, and the card's."""
    found = [tier_pct]
    if is_member_day(local_date(now), rules.member_day):
        found.append(rules.member_day_multiplier_pct)
    found.extend(card_pcts)
    return found


def _paid_card_multipliers(member_id: int, now: datetime) -> list[int]:
    """The paid card's multiplier, checked at the moment of earning: a card revoked a second
    ago gives nothing."""
    benefits = memberships.active_benefits(member_id, now)
    pct = getattr(benefits, "points_multiplier_pct", None) if benefits else None
    return [pct] if pct else []


@use_case
def adjust_points(member_id: int, points: int, *, reason: str, actor, now: datetime):
    """Staff grant (points > 0) or take (points < 0) points, with a required reason.

    A grant is a lot with the program's expiry; a take is a spend, so it never makes the
    balance negative (InsufficientPoints). Audited with who, when and why. Raises
    ReasonRequired, ValidationFailed (0 points), UnknownMember, InsufficientPoints.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    if not points:
        raise ValidationFailed(_l("Enter a number of points other than zero."))
    if db.session.get(Member, member_id) is None:
        raise UnknownMember()
    source = {"source_type": "staff", "source_id": getattr(actor, "actor_id", None)}
    if points > 0:
        entry = ledger.earn(
            member_id, points, kind="adjust", expires_at=expiry_for(now), actor=actor,
            now=now, note=reason, **source,
        )  # fmt: skip
    else:
        entry = ledger.spend(
            member_id, -points, kind="adjust", actor=actor, now=now, note=reason, **source
        )
    audit.record(
        "points.adjusted", actor=actor, subject_type="member", subject_id=member_id,
        reason=reason, points=points, entry_id=entry.id,
    )  # fmt: skip
    return entry


RULE_FIELDS = tuple(DEFAULT_RULES)


@use_case
def update_program_rules(*, actor, now: datetime, **values) -> ProgramRules:
    """The owner changes the earning, expiry, growth and member-day rules.

    New values apply to earnings from now on; existing lots keep their expiry. CHECK
    constraints back the ranges. Audited with the old and new values.
    """
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise ValidationFailed()
    rules = db.session.get(ProgramRules, 1)
    if rules is None:
        rules = ProgramRules(id=1, **DEFAULT_RULES)
        db.session.add(rules)
    db.session.info["program_rules"] = rules
    before = {field: getattr(rules, field) for field in RULE_FIELDS}
    for field, value in values.items():
        setattr(rules, field, value)
    db.session.flush()
    audit.record(
        "points.rules_changed", actor=actor, subject_type="program_rules", subject_id=1,
        before=before, after={field: getattr(rules, field) for field in RULE_FIELDS},
    )  # fmt: skip
    return rules
