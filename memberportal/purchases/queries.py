"""Reading purchases (staff)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from memberportal.core.clock import local_date
from memberportal.extensions import db
from memberportal.purchases.models import Purchase
from memberportal.purchases.rules import best_discount


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


def discount_now(member_id: int, now: datetime) -> tuple[str | None, int]:
    """The discount the till gives this member at `now`: (kind, basis points), the better of
    the paid card's (the plan's or the tier's card discount, while the card is active) and
    the member day's (on the brand-local member day); (None, 0) when neither applies. The
    till's bill, its checkout and the API's member lookup all read it here."""
    from memberportal.memberships.queries import active_benefits
    from memberportal.points.services import member_day_today, program_rules

    card = active_benefits(member_id, now)
    offers = [("paid_card", card.discount_bps if card else 0)]
    if member_day_today(local_date(now)):
        offers.append(("member_day", program_rules().member_day_discount_bps))
    return best_discount(offers)
