"""Reading coupons, scoped to who may see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from memberportal.coupons import rules
from memberportal.coupons.models import Coupon, CouponTemplate
from memberportal.extensions import db
from memberportal.members.models import Member

HISTORY_LIMIT = 50


@dataclass(frozen=True)
class MemberCoupons:
    usable: list[Coupon]
    history: list[Coupon]  # used, cancelled or expired, latest first


def coupons_for_member(member_id: int, now: datetime) -> MemberCoupons:
    """The member's own coupons: usable ones (soonest expiry first), then used, cancelled
    (void) and expired."""
    usable = db.session.scalars(
        select(Coupon)
        .where(Coupon.member_id == member_id, Coupon.state == "issued", Coupon.expires_at > now)
        .order_by(Coupon.expires_at, Coupon.id)
    )
    history = db.session.scalars(
        select(Coupon)
        .where(
            Coupon.member_id == member_id,
            (Coupon.state != "issued") | (Coupon.expires_at <= now),
        )
        .order_by(
            func.coalesce(Coupon.used_at, Coupon.voided_at, Coupon.expires_at).desc(),
            Coupon.id.desc(),
        )
        .limit(HISTORY_LIMIT)
    )
    return MemberCoupons(list(usable), list(history))


def usable_count(member_id: int, now: datetime) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Coupon)
        .where(Coupon.member_id == member_id, Coupon.state == "issued", Coupon.expires_at > now)
    )


def member_coupon_or_none(member_id: int, coupon_id: int) -> Coupon | None:
    """One coupon, only if it belongs to this member."""
    return db.session.scalar(
        select(Coupon).where(Coupon.id == coupon_id, Coupon.member_id == member_id)
    )


def coupon_with_member(code: str) -> tuple[Coupon, Member] | None:
    """Staff (write-off): the coupon with this code and whose it is."""
    code = rules.normalise_code(code)
    if not code:
        return None
    row = db.session.execute(
        select(Coupon, Member)
        .join(Member, Member.id == Coupon.member_id)
        .where(Coupon.code == code)
    ).first()
    return (row[0], row[1]) if row else None


def coupon_for_till(code: str) -> tuple[Coupon, str] | None:
    """A till or shop (API): the coupon with this code and its member's number, nothing more
    of the member."""
    code = rules.normalise_code(code)
    if not code:
        return None
    row = db.session.execute(
        select(Coupon, Member.member_no)
        .join(Member, Member.id == Coupon.member_id)
        .where(Coupon.code == code)
    ).first()
    return (row[0], row[1]) if row else None


def templates() -> list[CouponTemplate]:
    """Every template for the merchant: active first, then by tier and name."""
    return list(
        db.session.scalars(
            select(CouponTemplate).order_by(
                CouponTemplate.active.desc(), CouponTemplate.tier_id, CouponTemplate.id
            )
        )
    )


def mall_templates() -> list[CouponTemplate]:
    """Active templates a points-mall item may give (source 'mall'), for the catalog form."""
    return list(
        db.session.scalars(
            select(CouponTemplate)
            .where(CouponTemplate.source == "mall", CouponTemplate.active)
            .order_by(CouponTemplate.id)
        )
    )


def template_or_none(template_id: int) -> CouponTemplate | None:
    return db.session.get(CouponTemplate, template_id)
