"""Risk use cases: the owner's thresholds, the detection scan and flag reviews (freezes:
risk.freezes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, update

from memberportal.audit import services as audit
from memberportal.core.clock import local_date, start_of_day
from memberportal.core.db import insert_once, insert_once_statement, use_case
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.purchases.models import Purchase, Refund
from memberportal.referrals.models import Referral
from memberportal.risk import rules
from memberportal.risk.errors import (
    FlagAlreadyReviewed,
    FlagNotFound,
    NoteRequired,
    ThresholdOutOfRange,
)
from memberportal.risk.models import (
    BIG_PURCHASE,
    BIG_PURCHASE_RANGE,
    DAILY_PURCHASES_RANGE,
    DEFAULT_THRESHOLDS,
    MANY_PURCHASES,
    OPEN,
    REFERRAL_BURST,
    REFERRALS_PER_DAY_RANGE,
    REFUND_RATE,
    REFUND_RATE_RANGE,
    REVIEWED,
    RiskFlag,
    RiskRules,
    RiskScan,
)

flags = RiskFlag.__table__
scans = RiskScan.__table__
members = Member.__table__
purchases = Purchase.__table__
refunds = Refund.__table__
referrals = Referral.__table__

# Rows carry the time their transaction started, and commit a little later: each scan reads
# again from this far before its watermark, so a purchase committed late is still seen (the
# UNIQUE keys make the overlap harmless).
OVERLAP = timedelta(minutes=10)
# How far back the first scan reads, and the refund rule's window.
WINDOW = timedelta(days=30)
TEXT_MAX = 500


def thresholds() -> RiskRules:
    """The saved thresholds, or the defaults (not saved) before the owner has set them."""
    return db.session.get(RiskRules, 1) or RiskRules(id=1, **DEFAULT_THRESHOLDS)


_RANGES = {
    "big_purchase_cents": (BIG_PURCHASE_RANGE, "big_purchase", _l("Between ¥1 and ¥1,000,000.")),
    "daily_purchases": (DAILY_PURCHASES_RANGE, "daily_purchases", _l("Between 1 and 1000.")),
    "refund_rate_pct": (REFUND_RATE_RANGE, "refund_rate_pct", _l("Between 1 and 99 percent.")),
    "referrals_per_day": (REFERRALS_PER_DAY_RANGE, "referrals_per_day", _l("Between 1 and 1000.")),
}


@use_case
def update_thresholds(
    *, big_purchase_cents: int, daily_purchases: int, refund_rate_pct: int,
    referrals_per_day: int | None = None, actor, now: datetime,
) -> RiskRules:  # fmt: skip
    """The owner sets the thresholds; scans judge what arrives from now on by them
    (`referrals_per_day` None keeps the saved one).

    Raises ThresholdOutOfRange naming the field (nothing is written). CHECK constraints back
    the ranges. Audited with the old and new values.
    """
    values = {
        "big_purchase_cents": big_purchase_cents,
        "daily_purchases": daily_purchases,
        "refund_rate_pct": refund_rate_pct,
    }
    if referrals_per_day is not None:
        values["referrals_per_day"] = referrals_per_day
    for name, value in values.items():
        (low, high), field, message = _RANGES[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ThresholdOutOfRange(message, field=field)
    saved = db.session.get(RiskRules, 1)
    if saved is None:
        saved = RiskRules(id=1, **DEFAULT_THRESHOLDS)
        db.session.add(saved)
    before = {name: getattr(saved, name) for name in values}
    for name, value in values.items():
        setattr(saved, name, value)
    db.session.flush()
    audit.record(
        "risk.rules_changed", actor=actor, subject_type="risk_rules", subject_id=1,
        before=before, after=values,
    )  # fmt: skip
    return saved


@dataclass(frozen=True)
class ScanResult:
    since: datetime  # the earliest transaction time this scan read
    until: datetime  # the new watermark
    new_flags: int


@dataclass(frozen=True)
class _Mark:
    since: datetime
    purchase_floor: int
    refund_floor: int


@use_case
def scan(*, now: datetime) -> ScanResult:
    """Look at purchases and refunds since the watermark and record a flag for each finding.

    Rules (thresholds from `thresholds()`): a purchase above the amount; more than N purchases
    by one member in one brand-local day; more than R friends joining through one member's
    invite link in one brand-local day (referral burst); refunds above P% of what a member
    purchased in the last 30 days (purchases made in the window and what of them was refunded,
    at least one refund), checked for members refunded since the watermark, once per brand-local
    day of detection. Reads the tables, so purchases from every path are seen. Writes the flags
    (INSERT ... ON CONFLICT on UNIQUE (rule, subject)), newer figures on an open flag, and the
    watermark. Concurrency: the watermark row is taken first (one scan at a time on PostgreSQL;
    SQLite has one writer), and the UNIQUE key alone already keeps reruns and overlapping scans
    from recording a finding twice.
    """
    mark = _claim_watermark(now)
    limits = thresholds()
    bought = db.session.execute(
        select(
            purchases.c.id, purchases.c.member_id, purchases.c.amount_cents, purchases.c.at
        ).where(purchases.c.id > mark.purchase_floor, purchases.c.at >= mark.since)
    ).all()
    refunded = db.session.scalars(
        select(purchases.c.member_id)
        .join(refunds, refunds.c.purchase_id == purchases.c.id)
        .where(refunds.c.id > mark.refund_floor, refunds.c.at >= mark.since)
        .distinct()
    ).all()
    found = [
        *_big_purchases(bought, limits.big_purchase_cents, now),
        *_busy_days(bought, limits.daily_purchases, now),
        *_refund_rates(sorted(refunded), limits.refund_rate_pct, now),
        *_referral_bursts(mark.since, limits.referrals_per_day, now),
    ]
    found.sort(key=lambda row: (row["rule"], row["subject"]))  # one lock order for every scan
    new = _record(found)
    _advance(mark, now)
    return ScanResult(since=mark.since, until=now, new_flags=new)


def _claim_watermark(now: datetime) -> _Mark:
    """Take the watermark row (a write first, so SQLite's lock is held from the start)."""
    insert_once(scans, id=1, scanned_until=now - WINDOW, scans=0, purchase_floor=0, refund_floor=0)
    row = db.session.execute(
        update(scans).where(scans.c.id == 1).values(scans=scans.c.scans + 1)
        .returning(scans.c.scanned_until, scans.c.purchase_floor, scans.c.refund_floor)
    ).one()  # fmt: skip
    return _Mark(min(row[0], now) - OVERLAP, row[1], row[2])


def _advance(mark: _Mark, now: datetime) -> None:
    """Move the watermark to `now`, and each floor to the newest row older than the overlap
    (what the next scan need not read again). Never backwards, whatever the clocks say."""
    cut = now - OVERLAP
    floors = {}
    for name, table, floor in (
        ("purchase_floor", purchases, mark.purchase_floor),
        ("refund_floor", refunds, mark.refund_floor),
    ):
        newest = db.session.scalar(
            select(func.max(table.c.id)).where(table.c.id > floor, table.c.at < cut)
        )
        floors[name] = max(floor, newest or 0)
    db.session.execute(
        update(scans)
        .where(scans.c.id == 1)
        .values(
            scanned_until=_at_least(scans.c.scanned_until, now),
            purchase_floor=_at_least(scans.c.purchase_floor, floors["purchase_floor"]),
            refund_floor=_at_least(scans.c.refund_floor, floors["refund_floor"]),
        )
    )


def _at_least(column, value):
    return case((column < value, value), else_=column)


def _flag(rule: str, subject: str, member_id: int, day, now, threshold: int, **figures) -> dict:
    row = {"amount_cents": 0, "base_cents": 0, "purchase_count": 0, "rate_pct": 0}
    row.update(figures)
    return {
        "rule": rule, "subject": subject, "member_id": member_id, "day": day,
        "threshold": threshold, "detected_at": now, "status": OPEN, "purchase_id": None, **row,
    }  # fmt: skip


def _big_purchases(bought, limit_cents: int, now: datetime) -> list[dict]:
    return [
        _flag(
            BIG_PURCHASE,
            str(pid),
            member_id,
            local_date(at),
            now,
            limit_cents,
            amount_cents=amount,
            purchase_count=1,
            purchase_id=pid,
        )  # fmt: skip
        for pid, member_id, amount, at in bought
        if rules.is_big_purchase(amount, limit_cents)
    ]


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _busy_days(bought, limit: int, now: datetime) -> list[dict]:
    """Whole brand-local days are counted for each (member, day) with a new purchase."""
    touched = {(member_id, local_date(at)) for _id, member_id, _amount, at in bought}
    if not touched:
        return []
    days = sorted(day for _m, day in touched)
    start, end = start_of_day(days[0]), start_of_day(days[-1] + timedelta(days=1))
    found = {}
    for chunk in _chunks(sorted({member_id for member_id, _day in touched})):
        rows = db.session.execute(
            select(purchases.c.member_id, purchases.c.at).where(
                purchases.c.member_id.in_(chunk), purchases.c.at >= start, purchases.c.at < end
            )
        ).all()
        found.update(rules.busy_days(rows, touched, limit, local_date))
    return [
        _flag(
            MANY_PURCHASES,
            f"{member_id}:{day.isoformat()}",
            member_id,
            day,
            now,
            limit,
            purchase_count=count,
        )  # fmt: skip
        for (member_id, day), count in found.items()
    ]


def _referral_bursts(since: datetime, limit: int, now: datetime) -> list[dict]:
    """Referrers with more than `limit` friends joining in one brand-local day, counted over
    the whole day for each (referrer, day) with a referral since the watermark."""
    new = db.session.execute(
        select(referrals.c.referrer_id, referrals.c.created_at).where(
            referrals.c.created_at >= since
        )
    ).all()
    touched = {(referrer, local_date(at)) for referrer, at in new}
    if not touched:
        return []
    days = sorted(day for _r, day in touched)
    start, end = start_of_day(days[0]), start_of_day(days[-1] + timedelta(days=1))
    found = {}
    for chunk in _chunks(sorted({referrer for referrer, _day in touched})):
        rows = db.session.execute(
            select(referrals.c.referrer_id, referrals.c.created_at).where(
                referrals.c.referrer_id.in_(chunk),
                referrals.c.created_at >= start,
                referrals.c.created_at < end,
            )
        ).all()
        found.update(rules.busy_days(rows, touched, limit, local_date))
    return [
        _flag(
            REFERRAL_BURST,
            f"{referrer}:{day.isoformat()}",
            referrer,
            day,
            now,
            limit,
            purchase_count=count,
        )  # fmt: skip
        for (referrer, day), count in found.items()
    ]


def _refund_rates(member_ids: list[int], limit_pct: int, now: datetime) -> list[dict]:
    today, found = local_date(now), []
    for chunk in _chunks(member_ids):
        totals = db.session.execute(
            select(
                purchases.c.member_id,
                func.sum(purchases.c.amount_cents),
                func.sum(purchases.c.refunded_cents),
                func.count(),
            )
            .where(purchases.c.member_id.in_(chunk), purchases.c.at > now - WINDOW)
            .group_by(purchases.c.member_id)
        ).all()
        for member_id, bought, refunded, count in totals:
            bought, refunded = int(bought), int(refunded)
            if rules.refunds_too_high(refunded, bought, limit_pct):
                found.append(
                    _flag(
                        REFUND_RATE,
                        f"{member_id}:{today.isoformat()}",
                        member_id,
                        today,
                        now,
                        limit_pct,
                        amount_cents=refunded,
                        base_cents=bought,
                        purchase_count=count,
                        rate_pct=rules.refund_rate_pct(refunded, bought),
                    )  # fmt: skip
                )
    return found


def _record(found: list[dict]) -> int:
    """Insert each finding unless its (rule, subject) is recorded; refresh an open flag's
    figures when they grew (more purchases that day, more refunded). Returns how many new."""
    if not found:
        return 0
    inserted = set(
        db.session.execute(
            insert_once_statement(
                flags,
                values=found,
                conflict=["rule", "subject"],
                returning=(flags.c.rule, flags.c.subject),
            )  # fmt: skip
        ).all()
    )
    for row in found:
        if (row["rule"], row["subject"]) in inserted or row["rule"] == BIG_PURCHASE:
            continue
        grew = (
            flags.c.purchase_count < row["purchase_count"]
            if row["rule"] in (MANY_PURCHASES, REFERRAL_BURST)
            else flags.c.amount_cents < row["amount_cents"]
        )
        db.session.execute(
            update(flags)
            .where(flags.c.rule == row["rule"], flags.c.subject == row["subject"])
            .where(flags.c.status == OPEN, grew)
            .values({k: row[k] for k in ("amount_cents", "base_cents", "purchase_count",
                                         "rate_pct")})
        )  # fmt: skip
    return len(inserted)


@use_case
def review_flag(flag_id: int, note: str, *, actor, now: datetime) -> None:
    """A manager marks an open flag reviewed, with a note saying what was found.

    Writes the flag by a conditional UPDATE (only while open), and the audit row.
    Raises NoteRequired, FlagNotFound, FlagAlreadyReviewed (also to the second of two
    managers reviewing at once: the UPDATE lets one through).
    """
    note = rules.required_text(note, NoteRequired, TEXT_MAX)
    row = db.session.execute(
        update(flags)
        .where(flags.c.id == flag_id, flags.c.status == OPEN)
        .values(status=REVIEWED, reviewed_at=now, reviewed_by=actor.audit_label, review_note=note)
        .returning(flags.c.rule, flags.c.member_id, flags.c.subject)
    ).first()
    if row is None:
        exists = db.session.scalar(select(flags.c.id).where(flags.c.id == flag_id))
        raise FlagAlreadyReviewed() if exists else FlagNotFound()
    audit.record(
        "risk.flag_reviewed", actor=actor, subject_type="risk_flag", subject_id=flag_id,
        reason=note, rule=row.rule, member_id=row.member_id, flagged=row.subject,
    )  # fmt: skip
