"""Birthday-month and member-day coupons: which ones members are owed at a moment.

Reads only; services.py issues what these return. Days and months are the brand's (a member
born on 1 March is in their birthday month from 00:00 on 1 March in the brand's time zone,
which is still 28 February in UTC).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, extract, or_, select
from sqlalchemy.orm import aliased

from memberportal.core.clock import end_of_day, local_date
from memberportal.coupons import rules
from memberportal.coupons.models import Coupon, CouponTemplate
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.services import member_day_today, program_rules
from memberportal.tiers.models import Tier


@dataclass(frozen=True)
class Owed:
    """One coupon a member is owed: from which template, for which reason, until when."""

    member_id: int
    template: CouponTemplate
    reason_key: str
    expires_at: datetime


def in_birthday_month(now: datetime):
    """SQL condition: the member's birthday falls in the brand-local month of `now`."""
    return extract("month", Member.birthday) == local_date(now).month


def member_day_at(now: datetime) -> bool:
    """Whether `now` is on the program's member day in the brand's time zone (never, when the
    owner has set none)."""
    return member_day_today(local_date(now))


def _not_yet_issued(member_ids: Iterable[int], source: str, reason_key: str, *conditions):
    """(member id, template) pairs: active templates of `source` whose minimum tier, if any,
    the member has reached, not yet issued to the member for `reason_key`."""
    member_tier, min_tier = aliased(Tier), aliased(Tier)
    held = exists().where(
        Coupon.member_id == Member.id,
        Coupon.template_id == CouponTemplate.id,
        Coupon.reason_key == reason_key,
    )
    return db.session.execute(
        select(Member.id, CouponTemplate)
        .join(member_tier, member_tier.id == Member.tier_id)
        .join(CouponTemplate, and_(CouponTemplate.source == source, CouponTemplate.active))
        .outerjoin(min_tier, min_tier.id == CouponTemplate.tier_id)
        .where(
            Member.id.in_(list(member_ids)),
            Member.is_active_member,
            or_(CouponTemplate.tier_id.is_(None), min_tier.rank <= member_tier.rank),
            ~held,
            *conditions,
        )
        .order_by(Member.id, CouponTemplate.id)
    ).all()


def birthday_owed(member_ids: Iterable[int], now: datetime) -> list[Owed]:
    """Birthday coupons owed at `now`: members whose birthday month it is get each active
    birthday template once per brand-local year ('birthday:<YYYY>'), valid until the end of
    the month or after the template's valid days, whichever is first."""
    today = local_date(now)
    reason = rules.birthday_reason(today)
    return [
        Owed(member_id, template, reason,
             end_of_day(rules.birthday_last_valid_day(today, template.valid_days)))
        for member_id, template in _not_yet_issued(
            member_ids, "birthday", reason, in_birthday_month(now)
        )
    ]  # fmt: skip


def member_day_owed(member_ids: Iterable[int], now: datetime) -> list[Owed]:
    """Member-day coupons owed at `now`: on the brand-local member day each active member-day
    template once per month ('memberday:<YYYY-MM>'), or once per day for a weekly member day
    ('memberday:<YYYY-MM-DD>'), valid to the end of that day; nothing on other days or when
    no member day is set."""
    if not member_day_at(now):
        return []
    today = local_date(now)
    reason = rules.member_day_reason(today, weekly=program_rules().member_day_weekday is not None)
    return [
        Owed(member_id, template, reason, end_of_day(today))
        for member_id, template in _not_yet_issued(member_ids, "member_day", reason)
    ]
