"""Benefits applied at purchase: the one discount the till gives (paid card or member day,
the better of the two), kept on the purchase; monthly or weekly member days; the
birthday-month multiplier. Times are fixed: T0 is Tuesday 10 March 2026, 12:00 in Shanghai."""

from datetime import date, timedelta

import pytest
from sqlalchemy import exc, insert, select

from memberportal.extensions import db
from memberportal.members import services as members
from memberportal.members.rules import CONSENT_VERSION
from memberportal.points.services import (
    MemberDayKindClash,
    benefits_today,
    program_rules,
    update_program_rules,
)
from memberportal.purchases import services
from memberportal.purchases.models import Purchase
from memberportal.purchases.queries import discount_now
from tests import factories
from tests.coupon_helpers import move_to_tier, paid_card
from tests.points_helpers import ACTOR, T0

NEXT_DAY = T0 + timedelta(days=1)


def rules(**values):
    update_program_rules(actor=ACTOR, now=T0, **values)
    db.session.expire_all()


def card_member(tier: str):
    member = factories.member()
    move_to_tier(member.id, tier)
    paid_card(member.id, T0 - timedelta(days=10), T0 + timedelta(days=355))
    return member


def sale(member, cents: int, ref: str, now=T0):
    result = services.checkout(member.id, cents, ref, coupon_id=None, actor=ACTOR, now=now)
    row = db.session.scalars(select(Purchase).where(Purchase.order_ref == ref)).one()
    return result, row


def granted(row: Purchase):
    return row.discount_kind, row.discount_bps, row.discount_cents, row.amount_cents


def test_the_paid_cards_discount_is_kept_on_the_purchase():
    member = card_member("VIP3")  # 15% off with the card
    _result, row = sale(member, 30000, "B-1")
    assert granted(row) == ("paid_card", 1500, 4500, 25500)


def test_a_monthly_member_day_gives_its_discount_and_multiplier_on_that_day_only():
    rules(member_day=10, member_day_discount_bps=1000, member_day_multiplier_pct=200)
    member = factories.member()
    result, row = sale(member, 10000, "B-2")
    assert granted(row) == ("member_day", 1000, 1000, 9000)
    assert result.purchase.points_earned == 180  # 90 yuan paid, 2x on member day
    _result, other_day = sale(member, 10000, "B-3", now=NEXT_DAY)
    assert granted(other_day) == (None, None, None, 10000)
    assert other_day.points_earned == 100


def test_a_weekly_member_day_follows_the_brand_local_weekday():
    rules(member_day_weekday=3, member_day_discount_bps=800)  # Wednesdays
    member = factories.member()
    assert discount_now(member.id, T0) == (None, 0)  # Tuesday
    # 16:30 UTC on Tuesday is already Wednesday 00:30 in Shanghai.
    wednesday = T0.replace(hour=16, minute=30)
    assert discount_now(member.id, wednesday) == ("member_day", 800)
    assert discount_now(member.id, wednesday + timedelta(days=7)) == ("member_day", 800)
    _result, row = sale(member, 5000, "B-4", now=wednesday)
    assert granted(row) == ("member_day", 800, 400, 4600)


def test_the_better_discount_applies_and_they_do_not_add_up():
    rules(member_day=10, member_day_discount_bps=1000)
    vip3, vip2 = card_member("VIP3"), card_member("VIP2")  # cards give 15% and 5%
    assert discount_now(vip3.id, T0) == ("paid_card", 1500)
    assert discount_now(vip2.id, T0) == ("member_day", 1000)
    _result, row = sale(vip2, 20000, "B-5")
    assert granted(row) == ("member_day", 1000, 2000, 18000)


def test_the_birthday_month_multiplier_applies_in_that_month():
    rules(birthday_multiplier_pct=150)
    march = members.register(
        "生日 Birthday", "13900000881", factories.PASSWORD, consent_version=CONSENT_VERSION,
        birthday=date(1990, 3, 28),
    )  # fmt: skip
    april = factories.member(contact="13900000882")
    assert benefits_today(march, T0).birthday_month
    assert not benefits_today(april, T0).birthday_month
    earned = services.record_purchase(march.id, 10000, "BD-1", source="till", actor=ACTOR, now=T0)
    assert earned.points_earned == 150
    plain = services.record_purchase(april.id, 10000, "BD-2", source="till", actor=ACTOR, now=T0)
    assert plain.points_earned == 100


def test_a_member_day_is_monthly_or_weekly_never_both():
    rules(member_day=10)
    with pytest.raises(MemberDayKindClash):
        rules(member_day_weekday=2)
    assert (program_rules().member_day, program_rules().member_day_weekday) == (10, None)
    rules(member_day=None, member_day_weekday=2)
    assert (program_rules().member_day, program_rules().member_day_weekday) == (None, 2)


def test_the_database_refuses_a_discount_without_its_rate_and_amount():
    member = factories.member()
    with pytest.raises(exc.IntegrityError):
        db.session.execute(
            insert(Purchase).values(
                member_id=member.id, source="till", order_ref="X-1", amount_cents=100,
                refunded_cents=0, rate_pct=100, multiplier_pct=100, actor_label="t", at=T0,
                discount_kind="member_day",
            )
        )  # fmt: skip
    db.session.rollback()


def test_a_weekly_member_day_issues_its_coupons_once_each_member_day():
    from memberportal.coupons import services as coupon_services
    from tests.coupon_helpers import coupons_of, occasion_coupons

    occasion_coupons()
    rules(member_day_weekday=4)  # Thursdays
    member = factories.member()

    def at(day: int):  # noon in Shanghai, November 2027
        return T0.replace(year=2027, month=11, day=day)

    assert coupon_services.issue_member_day_coupons(member.id, at(17)) == []  # a Wednesday
    assert len(coupon_services.issue_member_day_coupons(member.id, at(18))) == 1
    assert coupon_services.issue_member_day_coupons(member.id, at(18)) == []
    assert len(coupon_services.issue_member_day_coupons(member.id, at(25))) == 1
    reasons = sorted(c.reason_key for c in coupons_of(member.id) if c.reason_kind == "member_day")
    assert reasons == ["memberday:2027-11-18", "memberday:2027-11-25"]
