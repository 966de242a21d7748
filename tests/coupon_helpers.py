"""Helpers for coupon tests: the reference tier, paid-card, birthday and member-day coupons,
moving a member's tier, giving a member a paid card, a birthday or the program a member day."""

from __future__ import annotations

import itertools
from datetime import date, datetime

from sqlalchemy import func, select, update

from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.coupons import demo, template_services
from memberportal.coupons.models import Coupon, CouponTemplate
from memberportal.extensions import db
from memberportal.members import services as member_services
from memberportal.members.models import Member
from memberportal.memberships import demo as membership_demo
from memberportal.memberships.models import Membership, Plan
from memberportal.points import services as points_services
from tests import factories

ACTOR = SystemActor(audit_label="test")
_subscriptions = itertools.count(1)


def tier_coupons() -> dict[str, int]:
    """The reference program's tier coupons (VIP1-VIP4), as the demo attaches them."""
    demo.load()
    db.session.commit()
    tier = db.session.scalars(select(CouponTemplate).where(CouponTemplate.source == "tier"))
    return {t.tier.code: t.id for t in tier if t.tier is not None}


def template(**kw):
    fields = {
        "name_zh": "满79减8",
        "name_en": "8 off 79",
        "amount_cents": 800,
        "min_spend_cents": 7900,
        "valid_days": 30,
        "tier_id": None,
        **kw,
    }
    return template_services.create_template(
        template_services.TemplateInput(**fields), actor=ACTOR, now=utcnow()
    )


def move_to_tier(member_id: int, code: str) -> None:
    """Set the member's tier the way the API fast path does: SQL, no coupon hook."""
    db.session.execute(
        update(Member).where(Member.id == member_id).values(tier_id=factories.tier(code).id)
    )
    db.session.commit()
    db.session.expire_all()


def coupons_of(member_id: int) -> list[Coupon]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(Coupon).where(Coupon.member_id == member_id).order_by(Coupon.id))
    )


def coupon_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Coupon))


def paid_coupons() -> dict[str, int]:
    """The SVIP card's coupons as the demo adds them: {"once": id, "quarterly": id}."""
    demo.load()
    db.session.commit()
    paid = db.session.scalars(select(CouponTemplate).where(CouponTemplate.source == "paid"))
    return {("quarterly" if t.per_quarter else "once"): t.id for t in paid}


def paid_card(member_id: int, start: datetime, end: datetime, status: str = "active") -> int:
    """A paid membership row as the webhook would leave it (the lifecycle has its own tests)."""
    membership_demo.load()
    plan = db.session.scalars(select(Plan).where(Plan.code == "SVIP")).one()
    membership = Membership(
        member_id=member_id,
        plan_id=plan.id,
        status=status,
        current_period_start=start,
        current_period_end=end,
        stripe_subscription_id=f"sub_test_{next(_subscriptions)}",
        created_at=start,
        updated_at=start,
    )
    db.session.add(membership)
    db.session.commit()
    return membership.id


def set_card(membership_id: int, **values) -> None:
    """Change the card the way a processed webhook would (renewed, revoked)."""
    db.session.execute(update(Membership).where(Membership.id == membership_id).values(**values))
    db.session.commit()
    db.session.expire_all()


def occasion_coupons() -> dict[str, int]:
    """The demo's birthday (VIP2 and above) and member-day (everyone) coupons, with the rest of
    the demo coupons: {"birthday": id, "member_day": id}."""
    demo.load()
    db.session.commit()
    found = db.session.scalars(
        select(CouponTemplate).where(CouponTemplate.source.in_(["birthday", "member_day"]))
    )
    return {t.source: t.id for t in found}


def set_birthday(member_id: int, birthday: date | None) -> None:
    """Change the birthday as staff correct it (audited, no coupon hook): a member sets it
    only once."""
    member_services.correct_birthday(member_id, birthday, "test", actor=ACTOR)
    db.session.commit()
    db.session.expire_all()


def set_member_day(day: int | None) -> None:
    """The owner sets (or clears) the monthly member day in the program rules."""
    points_services.update_program_rules(actor=ACTOR, now=utcnow(), member_day=day)
    db.session.commit()
