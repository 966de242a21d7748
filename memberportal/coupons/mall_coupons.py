"""Coupons bought in the points mall: issued by the redemption of a mall item (reason
'mall:<order id>', never lazily) and voided when that order is cancelled before use."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from memberportal.audit import services as audit
from memberportal.core.db import use_case
from memberportal.core.errors import NotFound
from memberportal.coupons import rules
from memberportal.coupons.errors import CouponAlreadyUsed, TemplateNotForMall
from memberportal.coupons.models import Coupon, CouponTemplate
from memberportal.coupons.services import _issue_one
from memberportal.extensions import db


@use_case
def issue_for_mall_order(
    member_id: int,
    template_id: int,
    order_id: int,
    *,
    actor,
    now: datetime,
    offered_only: bool = True,
) -> Coupon:
    """Issue the coupon a points-mall order bought (joins the redemption's transaction).

    Rule: the template is a 'mall' template, and active unless `offered_only` is False (an
    order paid after the template was deactivated still gets what it paid for); the coupon
    is valid for the template's valid days counting the brand-local day of `now`, and
    carries the reason 'mall:<order>'.
    Idempotent: UNIQUE (member, template, reason) with ON CONFLICT DO NOTHING, so a retried
    redemption of the same order returns the coupon it already has. Audited once. Raises
    TemplateNotForMall.
    """
    template = db.session.get(CouponTemplate, template_id)
    if template is None or template.source != "mall" or (offered_only and not template.active):
        raise TemplateNotForMall()
    reason = rules.mall_reason(order_id)
    _issue_one(member_id, template, reason, now, actor)
    return db.session.scalars(
        select(Coupon).where(
            Coupon.member_id == member_id,
            Coupon.template_id == template_id,
            Coupon.reason_key == reason,
        )
    ).one()


@use_case
def void_mall_coupon(coupon_id: int, *, actor, now: datetime) -> Coupon:
    """Cancel the unused coupon of a points-mall order that is being cancelled (joins the
    cancel's transaction): issued -> void, whether or not it has expired.

    Raises NotFound, CouponAlreadyUsed (written off: the order must not be cancelled).
    Voiding a void coupon changes nothing. Concurrency: one conditional UPDATE on the state,
    the same row a write-off moves, so of a write-off and a cancel exactly one wins.
    """
    moved = db.session.execute(
        update(Coupon)
        .where(Coupon.id == coupon_id, Coupon.state == "issued")
        .values(state="void", voided_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    coupon = db.session.get(Coupon, coupon_id, populate_existing=True)
    if coupon is None:
        raise NotFound()
    if not moved:
        if coupon.state == "used":
            raise CouponAlreadyUsed()
        return coupon
    audit.record(
        "coupon.voided",
        actor=actor,
        subject_type="coupon",
        subject_id=coupon.id,
        member_id=coupon.member_id,
        reason=coupon.reason_key,
    )
    return coupon
