"""Helpers for mall tests: give a member points, redeem as the member."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import func, select

from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.mall import services
from memberportal.mall.models import Item, Order
from memberportal.mall.rules import ShippingAddress
from memberportal.members.models import Member
from tests.points_helpers import ACTOR, earn


def rich_member(points: int = 1000, **kw) -> Member:
    from tests import factories

    member = factories.member(**kw)
    if points:
        earn(member.id, points, now=utcnow() - timedelta(days=1))
    return member


ADDRESS = ShippingAddress("Li Lei", "13800000000", "1 Nanjing Road, Shanghai")


def redeem(member_id: int, item_id: int, quantity: int = 1, key: str | None = None, now=None, **kw):
    """Redeem as the member; a shipped item goes to ADDRESS unless `shipping` is given."""
    member = db.session.get(Member, member_id)
    if "shipping" not in kw and db.session.get(Item, item_id).kind == "shipped":
        kw["shipping"] = ADDRESS
    return services.redeem(
        member_id,
        item_id,
        quantity,
        key or secrets.token_urlsafe(18),
        actor=member or ACTOR,
        now=now or utcnow(),
        **kw,
    )


def balance(member_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Member, member_id).points_balance


def stock(item_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Item, item_id).stock


def order_count(**where) -> int:
    query = select(func.count()).select_from(Order)
    for key, value in where.items():
        query = query.where(getattr(Order, key) == value)
    return db.session.scalar(query)
