"""Points use cases around the ledger: program rules, multipliers, staff adjustments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from memberportal.audit import services as audit
from memberportal.core.clock import end_of_day, local_date
from memberportal.core.db import use_case
from memberportal.core.errors import DomainError, NotFound, ValidationFailed
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.memberships import queries as memberships
from memberportal.points import ledger
from memberportal.points.errors import UnknownMember
from memberportal.points.models import (
    APPROVED,
    PENDING,
    REJECTED,
    AdjustmentRequest,
    ProgramRules,
)
from memberportal.points.rules import (
    ExpiryPolicy,
    expiry_day,
    is_birthday_month,
    is_member_day,
)

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
    "member_day_weekday": None,
    "member_day_discount_bps": 0,
    "birthday_multiplier_pct": 100,
    "sign_in_growth": 5,
    "profile_growth": 20,
    "review_growth": 10,
    "referral_points": 100,
    "share_growth": 10,
    "approval_threshold_points": 1000,
    "sign_in_points": 5,
    "streak_bonus_days": 7,
    "streak_bonus_points": 20,
    "streak_bonus_growth": 10,
    "referral_welcome_points": 50,
    "referral_monthly_cap": 10,
    "referral_hold_until_purchase": True,
}


class MemberDayKindClash(ValidationFailed):
    code = "member_day_one_kind"
    default_message = _l("Choose a monthly or a weekly member day, not both.")


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


def applicable_multipliers(
    member: Member, now: datetime, *, tier_benefits: bool = True
) -> list[int]:
    """Every multiplier (in %) that applies to `member` at `now`; earning uses the best one.

    Sources: the tier (100% when the caller says the member does not hold the tier's
    benefits now, e.g. a tier tied to a stored balance of zero), the member day, the birthday
    month and the paid card (see _paid_card_multipliers).
    """
    tier_pct = member.tier.points_multiplier_pct if tier_benefits else 100
    return multipliers_at(
        now, program_rules(), tier_pct,
        _paid_card_multipliers(member.id, now), birthday=member.birthday,
    )  # fmt: skip


def multipliers_at(
    now: datetime, rules, tier_pct: int, card_pcts: list[int], *, birthday=None
) -> list[int]:
    """The multipliers that apply at `now` given the member's tier and paid-card multipliers
    (already read): the tier's, the member day's when today is one, the birthday month's
    when it is the member's, and the card's."""
    found = [tier_pct]
    today = local_date(now)
    if member_day_today(today, rules):
        found.append(rules.member_day_multiplier_pct)
    if is_birthday_month(today, birthday):
        found.append(rules.birthday_multiplier_pct)
    found.extend(card_pcts)
    return found


def member_day_today(today, rules=None) -> bool:
    """Whether the brand-local `today` is the program's member day (monthly or weekly)."""
    rules = rules or program_rules()
    return is_member_day(today, rules.member_day, rules.member_day_weekday)


@dataclass(frozen=True)
class DayBenefits:
    """What the program gives a member today (brand-local), for the card to say so."""

    member_day: bool
    member_day_multiplier_pct: int
    member_day_discount_bps: int
    birthday_month: bool
    birthday_multiplier_pct: int


def benefits_today(member: Member, now: datetime) -> DayBenefits:
    """The member day's multiplier and discount when today is the member day, and the
    birthday-month multiplier in the member's birthday month; the same rules earning
    (multipliers_at) and the till (purchases.queries.discount_now) apply."""
    rules, today = program_rules(), local_date(now)
    return DayBenefits(
        member_day_today(today, rules), rules.member_day_multiplier_pct,
        rules.member_day_discount_bps, is_birthday_month(today, member.birthday),
        rules.birthday_multiplier_pct,
    )  # fmt: skip


def _paid_card_multipliers(member_id: int, now: datetime) -> list[int]:
    """The paid card's multiplier, checked at the moment of earning: a card revoked a second
    ago gives nothing."""
    benefits = memberships.active_benefits(member_id, now)
    pct = getattr(benefits, "points_multiplier_pct", None) if benefits else None
    return [pct] if pct else []


class NotYourApproval(DomainError):
    code = "own_request"
    status = 403
    default_message = _l("A second staff member must approve this: you made the request.")


class AlreadyDecided(DomainError):
    code = "already_decided"
    status = 409
    default_message = _l("This request was already approved or rejected.")


@use_case
def adjust_points(
    member_id: int, points: int, *, reason: str, actor, now: datetime, details: dict | None = None
):
    """Staff grant (points > 0) or take (points < 0) points, with a required reason.

    A grant is a lot with the program's expiry; a take is a spend, so it never makes the
    balance negative (InsufficientPoints). Audited with who, when and why. A staff member's
    adjustment of more points than the program's approval threshold is not applied: it is
    stored as a pending AdjustmentRequest (returned instead of the entry) until another staff
    member approves it (approve_adjustment). Raises ReasonRequired, ValidationFailed (0
    points), UnknownMember, InsufficientPoints.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    if not points:
        raise ValidationFailed(_l("Enter a number of points other than zero."))
    if db.session.get(Member, member_id) is None:
        raise UnknownMember()
    if actor.actor_kind == "staff" and abs(points) > program_rules().approval_threshold_points:
        request = AdjustmentRequest(
            member_id=member_id, points=points, reason=reason, maker_id=actor.actor_id,
            maker_label=actor.audit_label, created_at=now, status=PENDING,
        )  # fmt: skip
        db.session.add(request)
        db.session.flush()
        audit.record(
            "points.adjustment_requested", actor=actor, subject_type="member",
            subject_id=member_id, reason=reason, points=points, request_id=request.id,
            **(details or {}),
        )  # fmt: skip
        return request
    return _apply(member_id, points, reason, actor=actor, now=now, **(details or {}))


def _apply(member_id: int, points: int, reason: str, *, actor, now: datetime, **extra):
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
        reason=reason, points=points, entry_id=entry.id, **extra,
    )  # fmt: skip
    return entry


def _decide(request_id: int, status: str, *, actor, now: datetime, note: str | None):
    """Claim the pending request for this checker: one conditional UPDATE, so of two
    decisions at once exactly one wins; never the maker's own (also a CHECK)."""
    table = AdjustmentRequest.__table__
    request = db.session.get(AdjustmentRequest, request_id)
    if request is None:
        raise NotFound()
    if request.maker_id == actor.actor_id:
        raise NotYourApproval()
    claimed = db.session.execute(
        update(table)
        .where(table.c.id == request_id, table.c.status == PENDING,
               table.c.maker_id != actor.actor_id)
        .values(status=status, checker_id=actor.actor_id, checker_label=actor.audit_label,
                decided_at=now, decision_note=note)
    ).rowcount  # fmt: skip
    if not claimed:
        raise AlreadyDecided()
    db.session.expire(request)
    return request


@use_case
def approve_adjustment(request_id: int, *, actor, now: datetime) -> AdjustmentRequest:
    """A second staff member approves: the adjustment reaches the ledger now, in the same
    transaction (a take that no longer fits the balance fails whole: InsufficientPoints).
    Raises NotFound, NotYourApproval, AlreadyDecided."""
    request = _decide(request_id, APPROVED, actor=actor, now=now, note=None)
    entry = _apply(
        request.member_id, request.points, request.reason, actor=actor, now=now,
        request_id=request.id, maker=request.maker_label,
    )  # fmt: skip
    request.entry_id = entry.id
    db.session.flush()
    return request


@use_case
def reject_adjustment(request_id: int, note: str, *, actor, now: datetime) -> AdjustmentRequest:
    """A second staff member rejects, with a note; nothing reaches the ledger."""
    note = (note or "").strip()
    if not note:
        raise ReasonRequired()
    request = _decide(request_id, REJECTED, actor=actor, now=now, note=note)
    audit.record(
        "points.adjustment_rejected", actor=actor, subject_type="member",
        subject_id=request.member_id, reason=note, points=request.points,
        request_id=request.id, maker=request.maker_label,
    )  # fmt: skip
    return request


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
    day = values.get("member_day", getattr(rules, "member_day", None))
    weekday = values.get("member_day_weekday", getattr(rules, "member_day_weekday", None))
    if day is not None and weekday is not None:
        raise MemberDayKindClash()
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
