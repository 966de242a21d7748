"""Reading referrals for staff: who invited whom, newest first, and how many a member invited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.members.queries import normalise_code
from memberportal.referrals.models import HELD, Referral


def reward_held_for(member_id_column):
    """Whether a reward waits for this (referred) member's first purchase, as SQL for a
    caller's own query: a purchase then releases it (services.release_on_purchase)."""
    return exists().where(Referral.referred_id == member_id_column, Referral.status == HELD)


@dataclass(frozen=True)
class ReferralRow:
    id: int
    created_at: datetime
    referrer_id: int
    referrer_no: str
    referrer_name: str
    referred_id: int
    referred_no: str
    referred_name: str
    points: int
    growth: int


def _matching(member_no: str | None):
    """Referrals joined to both members, limited to those where either side has the number."""
    referrer, referred = aliased(Member), aliased(Member)
    query = (
        select(
            Referral.id, Referral.created_at, referrer.id, referrer.member_no, referrer.name,
            referred.id, referred.member_no, referred.name, Referral.points, Referral.growth,
        )
        .join(referrer, referrer.id == Referral.referrer_id)
        .join(referred, referred.id == Referral.referred_id)
    )  # fmt: skip
    code = normalise_code(member_no)
    if code:
        query = query.where(or_(referrer.member_no == code, referred.member_no == code))
    return query


def referrals_page(
    member_no: str | None = None, *, before_id: int | None = None, limit: int = 50
) -> list[ReferralRow]:
    """Referrals newest first (ties by id), `limit` at a time after the row `before_id`;
    with `member_no`, only those where the referrer or the new member has that number."""
    query = _matching(member_no).order_by(Referral.created_at.desc(), Referral.id.desc())
    if before_id:
        at = select(Referral.created_at).where(Referral.id == before_id).scalar_subquery()
        query = query.where(
            or_(Referral.created_at < at, and_(Referral.created_at == at, Referral.id < before_id))
        )
    return [ReferralRow(*row) for row in db.session.execute(query.limit(limit))]


def count_referrals(member_no: str | None = None) -> int:
    """How many referrals the page lists in all (with `member_no`: where either side has it)."""
    return db.session.scalar(select(func.count()).select_from(_matching(member_no).subquery()))


def referred_by(member_id: int) -> int:
    """How many friends this member referred."""
    return db.session.scalar(
        select(func.count(Referral.id)).where(Referral.referrer_id == member_id)
    )
