"""Everything held about one member, section by section, for the export.

This area reads the other areas' tables directly: an export is by definition a read of all
of them, scoped to one member. Secrets (password hash, card code, reset hashes, request
keys) are left out: they are not data about the person and would only weaken the account.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from memberportal.claims.models import Claim
from memberportal.coupons.models import Coupon
from memberportal.extensions import db
from memberportal.mall.models import Order
from memberportal.members.models import Member
from memberportal.memberships.models import BillingRecord, Membership
from memberportal.points.models import LedgerEntry
from memberportal.purchases.models import Purchase, Refund
from memberportal.referrals.models import Referral
from memberportal.reviews.models import Review
from memberportal.tiers.models import SignIn, Tier

SECRET = {"password_hash", "card_code", "session_version", "request_key", "checkout_session_id"}


def _columns(table):
    return [c for c in table.c if c.name not in SECRET]


def _rows(model, where, order=None) -> tuple[list[str], list[dict]]:
    table = model.__table__
    columns = _columns(table)
    query = select(*columns).where(where).order_by(order if order is not None else table.c.id)
    return [c.name for c in columns], [dict(r._mapping) for r in db.session.execute(query)]


def member_sections(member_id: int) -> dict[str, tuple[list[str], list[dict]]]:
    """Section name -> (columns, rows) of everything about the member."""
    names, profile = _rows(Member, Member.id == member_id)
    tier_code = db.session.scalar(
        select(Tier.code).join(Member, Member.tier_id == Tier.id).where(Member.id == member_id)
    )
    for row in profile:
        row["tier"] = tier_code
    own_purchases = select(Purchase.id).where(Purchase.member_id == member_id)
    return {
        "profile": ([*names, "tier"], profile),
        "ledger": _rows(LedgerEntry, LedgerEntry.member_id == member_id),
        "purchases": _rows(Purchase, Purchase.member_id == member_id),
        "refunds": _rows(Refund, Refund.purchase_id.in_(own_purchases)),
        "mall_orders": _rows(Order, Order.member_id == member_id),
        "coupons": _rows(Coupon, Coupon.member_id == member_id),
        "memberships": _rows(Membership, Membership.member_id == member_id),
        "membership_payments": _rows(BillingRecord, BillingRecord.member_id == member_id),
        "sign_ins": _rows(SignIn, SignIn.member_id == member_id),
        "reviews": _rows(Review, Review.member_id == member_id),
        "referrals": _rows(
            Referral, or_(Referral.referrer_id == member_id, Referral.referred_id == member_id)
        ),
        "points_claims": _rows(Claim, Claim.member_id == member_id),
    }
