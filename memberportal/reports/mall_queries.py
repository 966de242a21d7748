"""The points mall in a window: the items ordered most, and coupons by template."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select

from memberportal.core.i18n import localized
from memberportal.coupons.models import Coupon, CouponTemplate
from memberportal.extensions import db
from memberportal.mall.models import Item, Order
from memberportal.reports.queries import NOT_ORDERS, Window, count_if, total


@dataclass(frozen=True)
class ItemFigure:
    name: str
    orders: int
    quantity: int
    points: int
    cash_cents: int


def top_items(window: Window, limit: int = 10) -> list[ItemFigure]:
    """Mall items with the most orders placed in the window (not cancelled, not unpaid)."""
    orders = func.count(Order.id)
    rows = db.session.execute(
        select(
            Item.name_zh,
            Item.name_en,
            orders,
            total(Order.quantity),
            total(Order.points_cost),
            total(Order.cash_cents),
        )
        .join(Order, Order.item_id == Item.id)
        .where(window.holds(Order.placed_at), Order.status.not_in(NOT_ORDERS))
        .group_by(Item.id, Item.name_zh, Item.name_en)
        .order_by(orders.desc(), Item.id)
        .limit(limit)
    ).all()
    return [ItemFigure(localized(zh, en), *map(int, n)) for zh, en, *n in rows]


@dataclass(frozen=True)
class CouponFigure:
    name: str
    issued: int
    used: int
    expired: int  # ran out unused in the window (up to now)
    off_cents: int  # the amount off of those used


def coupons_by_template(window: Window, now: datetime) -> list[CouponFigure]:
    """Coupons issued, used and expired in the window, by template (templates with none are
    left out)."""
    c = Coupon
    expired_by = min(now, window.end_at)
    expired = and_(c.state == "issued", c.expires_at >= window.start_at, c.expires_at < expired_by)
    used = and_(c.state == "used", window.holds(c.used_at))
    issued, n_used, n_expired = (
        count_if(window.holds(c.issued_at)),
        count_if(used),
        count_if(expired),
    )
    rows = db.session.execute(
        select(
            CouponTemplate.name_zh,
            CouponTemplate.name_en,
            issued,
            n_used,
            n_expired,
            total(c.amount_cents, used),
        )
        .join(c, c.template_id == CouponTemplate.id)
        .group_by(CouponTemplate.id, CouponTemplate.name_zh, CouponTemplate.name_en)
        .having(issued + n_used + n_expired > 0)
        .order_by(issued.desc(), CouponTemplate.id)
    ).all()
    return [CouponFigure(localized(zh, en), *map(int, n)) for zh, en, *n in rows]
