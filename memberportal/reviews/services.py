"""Reviewing a purchase: the member's rating and words, and interaction growth once; a full
refund of the purchase takes that growth back, once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import literal, select, update

from memberportal.audit import services as audit
from memberportal.core.db import insert_once_statement, use_case
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
from memberportal.tiers.services import TierMove, add_growth, record_interaction

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
    fully refunded; ON CONFLICT (purchase_id) DO NOTHING. The new id, or None.

    The purchase row is read FOR SHARE: a refund that is leaving it fully refunded holds the
    row, so the review waits for that refund and then finds the purchase refunded, instead of
    reading the row as it was and keeping growth the refund's take-back could not see. SQLite
    renders no FOR SHARE and needs none: the driver begins SQLite's transaction at the first
    write, which is this INSERT, and it runs under SQLite's one write lock, so it reads the
    purchase as the last committed refund left it."""
    source = select(
        purchases.c.member_id, purchases.c.id, literal(rating), literal(text),
        literal(growth), literal(now, reviews.c.created_at.type),
    ).where(
        purchases.c.id == purchase_id,
        purchases.c.member_id == member_id,
        purchases.c.refunded_cents < purchases.c.amount_cents,
    ).with_for_update(read=True)  # fmt: skip
    columns = ["member_id", "purchase_id", "rating", "text", "growth", "created_at"]
    statement = insert_once_statement(
        reviews, rows=source, columns=columns, conflict=["purchase_id"], returning=(reviews.c.id,)
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


@use_case
def return_growth(purchase_id: int, *, refund_id: int, actor, now: datetime) -> int:
    """The purchase was just refunded in full: its review's growth goes back, once.

    "A refunded purchase takes back the points and growth it gave": the review's growth
    stops counting once the purchase it reviews is fully refunded. Takes back exactly what
    the review recorded (reviews.growth, the amount its growth entry added to the member's
    interaction growth; the interaction cap is applied when growth is counted, so the
    member's counted growth falls by what the review added after the cap). The review stays,
    marked with the refund that returned its growth. Like a refund's spend growth, the take-
    back never moves the member down a tier (that waits for the end of the qualification
    period). Writes the review's mark, a negative interaction growth entry and an audit row;
    returns the growth taken (0 without a review, or when the purchase is not fully
    refunded). Called inside purchases.services.record_refund, in its transaction.
    Concurrency: one conditional UPDATE marks the review only while it is unmarked and the
    purchase row says it is fully refunded; refunds of one purchase are already applied one
    after the other (their UPDATE locks the purchase row), and UNIQUE
    (returned_by_refund_id) plus the CHECK pairing it with growth_returned_at back the mark.
    """
    fully_refunded = (
        select(purchases.c.id)
        .where(
            purchases.c.id == purchase_id,
            purchases.c.refunded_cents >= purchases.c.amount_cents,
        )
        .exists()
    )
    row = db.session.execute(
        update(reviews)
        .where(
            reviews.c.purchase_id == purchase_id,
            reviews.c.growth_returned_at.is_(None),
            fully_refunded,
        )
        .values(growth_returned_at=now, returned_by_refund_id=refund_id)
        .returning(reviews.c.id, reviews.c.member_id, reviews.c.growth)
    ).first()
    if row is None:
        return 0
    review_id, member_id, growth = row
    audit.record(
        "review.growth_returned", actor=actor, subject_type="member", subject_id=member_id,
        purchase_id=purchase_id, review_id=review_id, refund_id=refund_id, growth=growth,
    )  # fmt: skip
    add_growth(
        member_id, -growth, kind="interaction", cause="review_returned", source_type="review",
        source_id=review_id, actor=actor, now=now,
    )  # fmt: skip
    return growth
