"""Coupon use cases: tier, paid-card, birthday-month and member-day coupons (issued lazily),
write-off against an order amount (cashier). Templates: coupons.template_services."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import aliased

from memberportal.audit import services as audit
from memberportal.core.actors import SystemActor
from memberportal.core.clock import end_of_day, local_date
from memberportal.core.db import insert_once_statement, use_case
from memberportal.core.money import InvalidAmount
from memberportal.coupons import occasions, rules
from memberportal.coupons.errors import (
    CouponAlreadyUsed,
    CouponExpired,
    CouponUnknown,
    CouponVoid,
    SpendBelowThreshold,
)
from memberportal.coupons.models import Coupon, CouponTemplate
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.memberships.queries import active_benefits
from memberportal.notifications import outbox
from memberportal.tiers.models import Tier

TIER_ISSUER = SystemActor(audit_label="tier coupons")
PAID_ISSUER = SystemActor(audit_label="paid-card coupons")
BIRTHDAY_ISSUER = SystemActor(audit_label="birthday coupons")
MEMBER_DAY_ISSUER = SystemActor(audit_label="member-day coupons")
ISSUE_BATCH = 500


def _missing_tier_coupons(member_ids: Iterable[int]):
    """(member, template) pairs owed: active templates of the member's tier and the tiers
    below it, not yet issued to the member for reaching a tier."""
    member_tier, template_tier = aliased(Tier), aliased(Tier)
    held = exists().where(
        Coupon.member_id == Member.id,
        Coupon.template_id == CouponTemplate.id,
        Coupon.reason_key == rules.TIER_REASON,
    )
    return db.session.execute(
        select(Member.id, CouponTemplate)
        .join(member_tier, member_tier.id == Member.tier_id)
        .join(template_tier, template_tier.rank <= member_tier.rank)
        .join(
            CouponTemplate,
            and_(
                CouponTemplate.tier_id == template_tier.id,
                CouponTemplate.source == "tier",
                CouponTemplate.active,
            ),
        )
        .where(Member.id.in_(list(member_ids)), ~held)
        .order_by(Member.id, template_tier.rank, CouponTemplate.id)
    ).all()


def _insert_coupon(
    member_id: int, template: CouponTemplate, reason_key: str, now, expires_at=None
) -> int | None:
    """Insert one coupon unless the member already holds this template for this reason.

    ON CONFLICT DO NOTHING, so a concurrent issue of the same coupon waits for the other
    transaction and then inserts nothing; a clash of random codes is retried with a new code.
    Returns the new id, or None when it was already issued.
    """
    if expires_at is None:
        expires_at = end_of_day(rules.last_valid_day(local_date(now), template.valid_days))
    for _attempt in range(5):
        new_id = db.session.execute(
            insert_once_statement(
                Coupon.__table__,
                returning=(Coupon.id,),
                values=dict(
                    code=rules.new_code(),
                    member_id=member_id,
                    template_id=template.id,
                    reason_key=reason_key,
                    amount_cents=template.amount_cents,
                    min_spend_cents=template.min_spend_cents,
                    state="issued",
                    issued_at=now,
                    expires_at=expires_at,
                ),
            )  # fmt: skip
        ).scalar()
        if new_id is not None:
            return new_id
        if db.session.scalar(
            select(Coupon.id).where(
                Coupon.member_id == member_id,
                Coupon.template_id == template.id,
                Coupon.reason_key == reason_key,
            )
        ):
            return None
    raise RuntimeError("could not allocate a unique coupon code")


def _issue_one(member_id, template, reason_key, now, actor, expires_at=None) -> int | None:
    if expires_at is None:
        expires_at = end_of_day(rules.last_valid_day(local_date(now), template.valid_days))
    coupon_id = _insert_coupon(member_id, template, reason_key, now, expires_at)
    if coupon_id is not None:
        # Only a row really inserted is told (a duplicate returns None): once per coupon.
        outbox.coupon_issued(coupon_id, member_id, template, expires_at, now)
        audit.record(
            "coupon.issued",
            actor=actor,
            subject_type="coupon",
            subject_id=coupon_id,
            member_id=member_id,
            template_id=template.id,
            reason=reason_key,
        )
    return coupon_id


def _issue_for(member_ids: list[int], now: datetime, actor) -> list[int]:
    issued = []
    for member_id, template in _missing_tier_coupons(member_ids):
        coupon_id = _issue_one(member_id, template, rules.TIER_REASON, now, actor)
        if coupon_id is not None:
            issued.append(coupon_id)
    return issued


def _paid_owed(member_id: int, now: datetime) -> list[tuple[CouponTemplate, str, datetime]]:
    """(template, reason, expiry) for each active paid-card template not yet issued for the
    card's current period or quarter; nothing when the card is not active at `now`."""
    card = active_benefits(member_id, now)
    if card is None or card.membership_id is None:
        return []
    today = local_date(now)
    period_reason = rules.paid_period_reason(card.membership_id, local_date(card.paid_from))
    quarter_reason = rules.paid_quarter_reason(card.membership_id, today)
    templates = db.session.scalars(
        select(CouponTemplate)
        .where(CouponTemplate.source == "paid", CouponTemplate.active)
        .order_by(CouponTemplate.id)
    )
    held = {
        (template_id, reason)
        for template_id, reason in db.session.execute(
            select(Coupon.template_id, Coupon.reason_key).where(
                Coupon.member_id == member_id,
                Coupon.reason_key.in_([period_reason, quarter_reason]),
            )
        )
    }
    owed = []
    for template in templates:
        reason = quarter_reason if template.per_quarter else period_reason
        if (template.id, reason) in held:
            continue
        last_day = rules.paid_last_valid_day(
            today, template.valid_days, per_quarter=template.per_quarter
        )
        owed.append((template, reason, end_of_day(last_day)))
    return owed


def _issue_paid_for(member_id: int, now: datetime, actor) -> list[int]:
    issued = []
    for template, reason, expires_at in _paid_owed(member_id, now):
        coupon_id = _issue_one(member_id, template, reason, now, actor, expires_at)
        if coupon_id is not None:
            issued.append(coupon_id)
    return issued


@use_case
def issue_paid_coupons(member_id: int, now: datetime, *, actor=PAID_ISSUER) -> list[int]:
    """Issue a paid-card holder the card's coupons: each active paid template once per paid
    period ('paid:<membership>:<period start day>'), or, when quarterly, once per brand-local
    calendar quarter ('paid:<membership>:<YYYY>Q<n>', expiring with the quarter or after its
    valid days, whichever is first). The card is read at `now` (active_benefits), so a member
    without an active card, or whose card was revoked, gets nothing new; coupons held stay.

    Idempotent like tier coupons: UNIQUE (member, template, reason) with ON CONFLICT DO
    NOTHING. Returns the ids of new coupons and audits each.
    """
    return _issue_paid_for(member_id, now, actor)


def _issue_owed(owed: list[occasions.Owed], now: datetime, actor) -> list[int]:
    issued = []
    for o in owed:
        coupon_id = _issue_one(o.member_id, o.template, o.reason_key, now, actor, o.expires_at)
        if coupon_id is not None:
            issued.append(coupon_id)
    return issued


@use_case
def issue_birthday_coupons(member_id: int, now: datetime, *, actor=BIRTHDAY_ISSUER) -> list[int]:
    """In the member's birthday month (brand-local; 29 February counts as February), issue each
    active birthday template the member's tier reaches once per calendar year
    ('birthday:<YYYY>'), so changing the birthday never earns a second one that year. It is
    valid until the end of the birthday month or after the template's valid days counting the
    day of issue, whichever ends first. Nothing without a birthday or outside its month.

    Idempotent: UNIQUE (member, template, reason) with ON CONFLICT DO NOTHING, so concurrent
    calls issue it once. Returns the ids of new coupons and audits each.
    """
    return _issue_owed(occasions.birthday_owed([member_id], now), now, actor)


@use_case
def issue_member_day_coupons(
    member_id: int, now: datetime, *, actor=MEMBER_DAY_ISSUER
) -> list[int]:
    """On the program's member day (program_rules.member_day, brand-local), issue each active
    member-day template the member's tier reaches once that month ('memberday:<YYYY-MM>'),
    valid to the end of that brand-local day. Nothing when no member day is set or on any other
    day. Idempotent like the others (UNIQUE member, template, reason; ON CONFLICT DO NOTHING).
    Returns the ids of new coupons and audits each.
    """
    return _issue_owed(occasions.member_day_owed([member_id], now), now, actor)


@use_case
def issue_coupons(member_id: int, now: datetime) -> list[int]:
    """Everything the member is owed now (tier, paid card, birthday month, member day) in one
    transaction (the card and coupons pages call this). Same guarantees as the use cases it
    joins."""
    return (
        issue_tier_coupons(member_id, now)
        + issue_paid_coupons(member_id, now)
        + issue_birthday_coupons(member_id, now)
        + issue_member_day_coupons(member_id, now)
    )


@use_case
def issue_tier_coupons(member_id: int, now: datetime, *, actor=TIER_ISSUER) -> list[int]:
    """Issue the member every tier coupon they are owed: one per active template attached to
    their tier or a tier below it, valid from `now`. Lazy (called when the member opens their
    coupons or card, and by a nightly command) because tiers change in several code paths.

    Idempotent: UNIQUE (member, template, reason) with ON CONFLICT DO NOTHING, so retries,
    replays and concurrent calls issue each coupon once. Returns the ids of new coupons and
    audits each.
    """
    return _issue_for([member_id], now, actor)


def _member_batches(batch: int, *where):
    """Member ids (those matching `where`), `batch` at a time, in id order (each batch gets
    its own transaction)."""
    after = 0
    while ids := list(
        db.session.scalars(
            select(Member.id).where(Member.id > after, *where).order_by(Member.id).limit(batch)
        )
    ):
        yield ids
        after = ids[-1]


def issue_all_tier_coupons(*, now: datetime, batch: int = ISSUE_BATCH) -> int:
    """The same for every member, `batch` members per transaction (a CLI job, not a request).
    Returns how many coupons were issued."""
    return sum(len(_issue_batch(ids, now)) for ids in _member_batches(batch))


class IssuedCounts(NamedTuple):
    tier: int
    paid: int
    birthday: int
    member_day: int


def issue_all_coupons(*, now: datetime, batch: int = ISSUE_BATCH) -> IssuedCounts:
    """Tier, paid-card, birthday and member-day coupons for every member (the nightly job),
    `batch` members per transaction; birthday coupons only look at members whose birthday
    month it is, member-day coupons only run on the member day. Returns how many of each were
    issued."""
    tier = issue_all_tier_coupons(now=now, batch=batch)
    paid = sum(len(_issue_paid_batch(ids, now)) for ids in _member_batches(batch))
    birthday = sum(
        len(_issue_occasion_batch(ids, now, "birthday"))
        for ids in _member_batches(batch, occasions.in_birthday_month(now))
    )
    member_day = 0
    if occasions.member_day_at(now):
        member_day = sum(
            len(_issue_occasion_batch(ids, now, "member_day")) for ids in _member_batches(batch)
        )
    return IssuedCounts(tier, paid, birthday, member_day)


@use_case
def _issue_batch(member_ids: list[int], now: datetime) -> list[int]:
    return _issue_for(member_ids, now, TIER_ISSUER)


@use_case
def _issue_paid_batch(member_ids: list[int], now: datetime) -> list[int]:
    return [i for member_id in member_ids for i in _issue_paid_for(member_id, now, PAID_ISSUER)]


@use_case
def _issue_occasion_batch(member_ids: list[int], now: datetime, source: str) -> list[int]:
    if source == "birthday":
        return _issue_owed(occasions.birthday_owed(member_ids, now), now, BIRTHDAY_ISSUER)
    return _issue_owed(occasions.member_day_owed(member_ids, now), now, MEMBER_DAY_ISSUER)


@use_case
def write_off(
    code: str,
    *,
    order_cents: int,
    actor,
    now: datetime,
    member_id: int | None = None,
    order_ref: str | None = None,
) -> Coupon:
    """Honour a coupon at the till (核销) against the order amount the cashier entered: issued,
    not expired and the order reaching the minimum spend -> used, in one step.

    `member_id`, when given (the staff member page), limits it to that member's coupons.
    `order_ref`, when given (a till or shop through the API), is the order it was used on,
    kept on the coupon and in the audit row so a dispute can be answered from the record.
    Writes the state, when, by whom and the order amount, and an audit row. Raises
    InvalidAmount (order not above zero), CouponUnknown, CouponAlreadyUsed, CouponVoid (its
    points-mall order was cancelled), CouponExpired,
    SpendBelowThreshold (the coupon stays usable). Concurrency: one conditional UPDATE that
    carries every condition, so of two cashiers writing off one code at once exactly one
    succeeds and the other is told it is used.
    """
    if order_cents <= 0:
        raise InvalidAmount()
    code = rules.normalise_code(code)
    if not code:
        raise CouponUnknown()
    mine = [Coupon.code == code]
    if member_id is not None:
        mine.append(Coupon.member_id == member_id)
    moved = db.session.execute(
        update(Coupon)
        .where(
            *mine,
            Coupon.state == "issued",
            Coupon.expires_at > now,
            Coupon.min_spend_cents <= order_cents,
        )
        .values(
            state="used",
            used_at=now,
            used_by=actor.audit_label,
            used_on_cents=order_cents,
            used_order_ref=order_ref,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    coupon = db.session.scalar(
        select(Coupon).where(*mine).execution_options(populate_existing=True)
    )
    if coupon is None:
        raise CouponUnknown()
    if not moved:
        refusal = coupon.refusal(now, order_cents)
        if refusal == "used":
            raise CouponAlreadyUsed()
        if refusal == "void":
            raise CouponVoid()
        if refusal == "expired":
            raise CouponExpired()
        raise SpendBelowThreshold(coupon.min_spend_cents, order_cents)
    audit.record(
        "coupon.written_off",
        actor=actor,
        subject_type="coupon",
        subject_id=coupon.id,
        member_id=coupon.member_id,
        code=code,
        amount_cents=coupon.amount_cents,
        order_cents=order_cents,
        order_ref=order_ref,
    )
    return coupon
