"""Reading purchases (staff)."""

from __future__ import annotations

from sqlalchemy import select

from memberportal.extensions import db
from memberportal.purchases.models import Purchase


def purchases_for_member(member_id: int, limit: int = 50) -> list[Purchase]:
    return list(
        db.session.scalars(
            select(Purchase)
            .where(Purchase.member_id == member_id)
            .order_by(Purchase.id.desc())
            .limit(limit)
        )
    )


def purchase_by_id(purchase_id: int) -> Purchase | None:
    return db.session.get(Purchase, purchase_id)


def purchase_by_ref(source: str, order_ref: str) -> Purchase | None:
    """The purchase a reporting system recorded under its own order reference."""
    return db.session.scalars(
        select(Purchase).where(Purchase.source == source, Purchase.order_ref == order_ref)
    ).first()
