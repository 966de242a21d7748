"""Reading claims: a member reads their own; staff read the queue with who claimed."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import select

from memberportal.claims.models import PENDING, Claim
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.purchases.models import Purchase


@dataclass(frozen=True)
class ClaimLine:
    claim: Claim
    points_earned: int | None  # what the recorded purchase earned, once approved


def claims_for_member(member_id: int, limit: int = 50) -> list[ClaimLine]:
    """The member's own claims, newest first, with the points an approved one earned."""
    rows = db.session.execute(
        select(Claim, Purchase.points_earned)
        .outerjoin(Purchase, Purchase.id == Claim.purchase_id)
        .where(Claim.member_id == member_id)
        .order_by(Claim.submitted_at.desc(), Claim.id.desc())
        .limit(limit)
    )
    return [ClaimLine(claim, points) for claim, points in rows]


def member_claim_or_404(member_id: int, claim_id: int) -> Claim:
    """One of the member's own claims; another member's is a 404, like a missing one."""
    claim = db.session.scalar(
        select(Claim).where(Claim.id == claim_id, Claim.member_id == member_id)
    )
    if claim is None:
        abort(404)
    return claim


@dataclass(frozen=True)
class StaffClaimRow:
    claim: Claim
    member_no: str
    member_name: str
    points_earned: int | None


def _staff_query():
    # Closed accounts are not shown to staff (their claims stay only for the books).
    return (
        select(Claim, Member.member_no, Member.name, Purchase.points_earned)
        .join(Member, Member.id == Claim.member_id)
        .outerjoin(Purchase, Purchase.id == Claim.purchase_id)
        .where(Member.closed_at.is_(None))
    )


def pending_claims(limit: int = 100) -> list[StaffClaimRow]:
    """Claims waiting for a decision, oldest first (first come, first served)."""
    query = (
        _staff_query()
        .where(Claim.status == PENDING)
        .order_by(Claim.submitted_at, Claim.id)
        .limit(limit)
    )
    return [StaffClaimRow(*row) for row in db.session.execute(query)]


def decided_claims(limit: int = 20) -> list[StaffClaimRow]:
    """The latest decisions, newest first."""
    query = (
        _staff_query()
        .where(Claim.status != PENDING)
        .order_by(Claim.decided_at.desc(), Claim.id.desc())
        .limit(limit)
    )
    return [StaffClaimRow(*row) for row in db.session.execute(query)]


def staff_claim_or_404(claim_id: int) -> StaffClaimRow:
    row = db.session.execute(_staff_query().where(Claim.id == claim_id)).first()
    if row is None:
        abort(404)
    return StaffClaimRow(*row)
