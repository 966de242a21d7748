"""Reading reviews: a member's own purchases with their review; the latest for staff."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import select

from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.purchases.models import Purchase
from memberportal.reviews.models import Review


@dataclass(frozen=True)
class PurchaseLine:
    purchase: Purchase
    review: Review | None

    @property
    def refunded(self) -> bool:
        return self.purchase.refunded_cents >= self.purchase.amount_cents

    @property
    def reviewable(self) -> bool:
        return self.review is None and not self.refunded


def purchases_for_member(member_id: int, limit: int = 100) -> list[PurchaseLine]:
    """The member's own purchases, newest first, each with its review if written."""
    rows = db.session.execute(
        select(Purchase, Review)
        .outerjoin(Review, Review.purchase_id == Purchase.id)
        .where(Purchase.member_id == member_id)
        .order_by(Purchase.at.desc(), Purchase.id.desc())
        .limit(limit)
    ).all()
    return [PurchaseLine(purchase, review) for purchase, review in rows]


def member_purchase_or_404(member_id: int, purchase_id: int) -> PurchaseLine:
    """One of the member's purchases; another member's is as absent as a missing one."""
    row = db.session.execute(
        select(Purchase, Review)
        .outerjoin(Review, Review.purchase_id == Purchase.id)
        .where(Purchase.id == purchase_id, Purchase.member_id == member_id)
    ).first()
    if row is None:
        abort(404)
    return PurchaseLine(*row)


@dataclass(frozen=True)
class StaffReviewRow:
    review: Review
    member_no: str
    store: str | None


def latest_reviews(limit: int = 100) -> list[StaffReviewRow]:
    rows = db.session.execute(
        select(Review, Member.member_no, Purchase.store)
        .join(Member, Member.id == Review.member_id)
        .join(Purchase, Purchase.id == Review.purchase_id)
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(limit)
    ).all()
    return [StaffReviewRow(*row) for row in rows]
