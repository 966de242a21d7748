"""Reviewing a purchase: the member's rating and words, and interaction growth once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import literal, select

from memberportal.audit import services as audit
from memberportal.core.db import dialect_insert, use_case
from memberportal.extensions import db
from memberportal.points.services import program_rules
from memberportal.purchases.errors import UnknownPurchase
from memberportal.purchases.models import Purchase
from memberportal.reviews.errors import (
    AlreadyReviewed,
    InvalidRating,
    PurchaseRefunded,
    ReviewTextLength,
)
from memberportal.reviews.models import TEXT_MAX, TEXT_MIN, Review
from memberportal.tiers.services import TierMove, record_interaction

reviews = Review.__table__
purchases = Purchase.__table__


@dataclass(frozen=True)
class ReviewResult:
    review_id: int
    growth: int
    tier_changed: TierMove | None


def _check(rating: int, text: str) -> None:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidRating()
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        raise ReviewTextLength()


def _claim(member_id: int, purchase_id: int, rating: int, text: str, growth: int, now):
    """INSERT the review from the purchase row itself, only if it is the member's and not
    fully refunded; ON CONFLICT (purchase_id) DO NOTHING. The new id, or None."""
    source = select(
        purchases.c.member_id, purchases.c.id, literal(rating), literal(text),
        literal(growth), literal(now, reviews.c.created_at.type),
    ).where(
        purchases.c.id == purchase_id,
        purchases.c.member_id == member_id,
        purchases.c.refunded_cents < purchases.c.amount_cents,
    )  # fmt: skip
    columns = ["member_id", "purchase_id", "rating", "text", "growth", "created_at"]
    statement = (
        dialect_insert(reviews)
        .from_select(columns, source)
        .on_conflict_do_nothing(index_elements=["purchase_id"])
        .returning(reviews.c.id)
    )
    return db.session.execute(statement).scalar()


def _refusal(member_id: int, purchase_id: int):
    """Why nothing was claimed; someone else's purchase reads as no purchase at all."""
    owned = db.session.scalar(
        select(Purchase.id).where(Purchase.id == purchase_id, Purchase.member_id == member_id)
    )
    if owned is None:
        return UnknownPurchase()
    if db.session.scalar(select(Review.id).where(Review.purchase_id == purchase_id)):
        return AlreadyReviewed()
    return PurchaseRefunded()


@use_case
def review_purchase(
    member_id: int, purchase_id: int, rating: int, text: str, *, actor, now: datetime
) -> ReviewResult:
    """The member reviews one of their purchases: 1-5 stars and 10-500 characters (trimmed).

    Only the purchase's own member, only while it is not fully refunded, once per purchase.
    Writes the review (with the growth granted), an audit row, and the program's review
    growth through tiers.services.record_interaction (counted up to the interaction cap;
    may move the member up). Raises InvalidRating, ReviewTextLength, UnknownPurchase (also
    for another member's purchase), PurchaseRefunded, AlreadyReviewed. Concurrency: one
    INSERT ... SELECT checks ownership and refund state on the purchase row and claims
    UNIQUE (purchase_id); of simultaneous reviews one commits, the others wait for it and
    raise AlreadyReviewed.
    """
    text = (text or "").strip()
    _check(rating, text)
    growth = program_rules().review_growth
    review_id = _claim(member_id, purchase_id, rating, text, growth, now)
    if review_id is None:
        raise _refusal(member_id, purchase_id)
    audit.record(
        "review.written", actor=actor, subject_type="member", subject_id=member_id,
        purchase_id=purchase_id, review_id=review_id, rating=rating, growth=growth,
    )  # fmt: skip
    move = None
    if growth:
        move = record_interaction(
            member_id, "review", growth, actor=actor, now=now, source_id=review_id
        )
    return ReviewResult(review_id, growth, move)
