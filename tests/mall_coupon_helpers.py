"""Helpers for coupon items: a points-mall coupon template and an item that gives it."""

from __future__ import annotations

from sqlalchemy import func, select

from memberportal.coupons.models import Coupon
from memberportal.extensions import db
from tests import factories
from tests.coupon_helpers import template


def mall_template(**kw):
    """The reference program's mall coupon: 10 off orders of 59, valid for 30 days."""
    fields = {
        "name_zh": "满59减10",
        "name_en": "10 off orders of 59",
        "amount_cents": 1000,
        "min_spend_cents": 5900,
        "valid_days": 30,
        "source": "mall",
        **kw,
    }
    return template(**fields)


def coupon_item(points_price: int = 500, stock: int = 10, **kw):
    """An on-sale coupon item giving a new mall template (or `coupon_template_id`)."""
    if "coupon_template_id" not in kw:
        kw["coupon_template_id"] = mall_template().id
    return factories.mall_item(
        name_zh="满59减10 优惠券",
        name_en="10 off 59 coupon",
        kind="coupon",
        points_price=points_price,
        stock=stock,
        **kw,
    )


def mall_coupons(member_id: int | None = None) -> list[Coupon]:
    db.session.expire_all()
    query = select(Coupon).where(Coupon.reason_key.like("mall:%")).order_by(Coupon.id)
    if member_id is not None:
        query = query.where(Coupon.member_id == member_id)
    return list(db.session.scalars(query))


def coupon_total() -> int:
    return db.session.scalar(select(func.count()).select_from(Coupon))
