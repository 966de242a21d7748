"""Birthday-month and member-day coupons: brand-local months and days, once per year or month,
the minimum tier, the nightly command, and the database's own checks."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select, text, update

from memberportal.audit.models import AuditEntry
from memberportal.coupons import services, template_services
from memberportal.coupons.errors import TemplateRuleBroken
from memberportal.coupons.models import CouponTemplate
from memberportal.extensions import db
from memberportal.members.models import Member
from tests import factories
from tests.coupon_helpers import (
    ACTOR,
    coupons_of,
    move_to_tier,
    occasion_coupons,
    set_birthday,
    set_member_day,
    template,
)


def shanghai(y, m, d, hh, mm) -> datetime:
    """A Shanghai wall-clock time (UTC+8 all year), as UTC."""
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - timedelta(hours=8)


def end_of(y, m, d) -> datetime:
    """The last instant of a Shanghai day, in UTC."""
    return datetime(y, m, d, 15, 59, 59, 999999, tzinfo=UTC)


def occasion(member_id: int) -> list[tuple[int, int, str, datetime]]:
    """(amount, minimum spend, reason, expiry) of the member's birthday and member-day coupons."""
    return [
        (c.amount_cents, c.min_spend_cents, c.reason_key, c.expires_at)
        for c in coupons_of(member_id)
        if c.reason_kind in ("birthday", "member_day")
    ]


def vip2_born(birthday: date | None):
    member = factories.member()
    move_to_tier(member.id, "VIP2")
    set_birthday(member.id, birthday)
    return member


# --- birthday month ---------------------------------------------------------------------------


def test_the_birthday_month_starts_and_ends_in_the_brand_zone():
    occasion_coupons()
    march, february = vip2_born(date(1990, 3, 1)), vip2_born(date(1991, 2, 14))
    # 23:30 on 28 February in Shanghai (15:30 UTC): still February.
    late_feb = shanghai(2027, 2, 28, 23, 30)
    services.issue_coupons(march.id, late_feb)
    assert occasion(march.id) == []
    services.issue_coupons(february.id, late_feb)
    # Issued in the last half hour of February, it ends with February.
    assert occasion(february.id) == [(2000, 0, "birthday:2027", end_of(2027, 2, 28))]
    # 23:30 UTC on 28 February is 07:30 on 1 March in Shanghai: March's birthday month.
    assert datetime(2027, 2, 28, 23, 30, tzinfo=UTC) == shanghai(2027, 3, 1, 7, 30)
    assert len(services.issue_coupons(march.id, datetime(2027, 2, 28, 23, 30, tzinfo=UTC))) == 1
    assert occasion(march.id) == [(2000, 0, "birthday:2027", end_of(2027, 3, 31))]
    assert services.issue_coupons(february.id, shanghai(2027, 3, 1, 7, 30)) == []
    # Once a year: the rest of March adds nothing.
    assert services.issue_coupons(march.id, shanghai(2027, 3, 31, 23, 59)) == []
    # A March member who first opens the card at 00:30 on 1 April (Shanghai) is too late.
    latecomer = vip2_born(date(1985, 3, 31))
    services.issue_coupons(latecomer.id, shanghai(2027, 4, 1, 0, 30))
    assert occasion(latecomer.id) == []
    issued = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "coupon.issued", AuditEntry.reason == "birthday:2027"
        )
    ).all()
    assert sorted(a.details["member_id"] for a in issued) == sorted([march.id, february.id])
    assert {a.actor_label for a in issued} == {"birthday coupons"}


def test_the_coupon_is_usable_to_the_last_instant_of_the_month():
    occasion_coupons()
    member = vip2_born(date(1990, 3, 15))
    services.issue_coupons(member.id, shanghai(2027, 3, 10, 12, 0))
    (coupon,) = [c for c in coupons_of(member.id) if c.reason_kind == "birthday"]
    assert coupon.is_usable(shanghai(2027, 3, 31, 23, 59))
    assert coupon.is_expired(shanghai(2027, 4, 1, 0, 0))


def test_29_february_is_february_in_common_and_leap_years():
    occasion_coupons()
    leapling = vip2_born(date(2000, 2, 29))
    services.issue_coupons(leapling.id, shanghai(2027, 2, 10, 9, 0))
    services.issue_coupons(leapling.id, shanghai(2027, 3, 1, 9, 0))
    services.issue_coupons(leapling.id, shanghai(2028, 2, 10, 9, 0))
    assert occasion(leapling.id) == [
        (2000, 0, "birthday:2027", end_of(2027, 2, 28)),
        (2000, 0, "birthday:2028", end_of(2028, 2, 29)),
    ]


def test_valid_days_shorter_than_the_rest_of_the_month_end_first():
    template(source="birthday", valid_days=7, name_en="Birthday 8 off 79")
    member = factories.member()  # VIP1: this template has no minimum tier
    set_birthday(member.id, date(1995, 3, 8))
    services.issue_coupons(member.id, shanghai(2027, 3, 20, 10, 0))  # 7 days: 20-26 March
    later = factories.member()
    set_birthday(later.id, date(1995, 3, 30))
    services.issue_coupons(later.id, shanghai(2027, 3, 28, 10, 0))  # the month ends first
    assert occasion(member.id) == [(800, 7900, "birthday:2027", end_of(2027, 3, 26))]
    assert occasion(later.id) == [(800, 7900, "birthday:2027", end_of(2027, 3, 31))]


def test_once_per_calendar_year_even_after_a_birthday_change():
    occasion_coupons()
    member = vip2_born(date(1990, 3, 5))
    services.issue_tier_coupons(member.id, shanghai(2027, 1, 1, 12, 0))
    assert len(services.issue_coupons(member.id, shanghai(2027, 3, 6, 12, 0))) == 1
    set_birthday(member.id, date(1990, 5, 5))  # moved to May: no second coupon in 2027
    assert services.issue_coupons(member.id, shanghai(2027, 5, 6, 12, 0)) == []
    set_birthday(member.id, date(1990, 12, 5))
    assert services.issue_coupons(member.id, shanghai(2027, 12, 6, 12, 0)) == []
    # Next year the (new) birthday month earns it again, once.
    assert len(services.issue_coupons(member.id, shanghai(2028, 12, 6, 12, 0))) == 1
    assert services.issue_coupons(member.id, shanghai(2028, 12, 7, 12, 0)) == []
    assert [reason for _a, _m, reason, _e in occasion(member.id)] == [
        "birthday:2027",
        "birthday:2028",
    ]


def test_the_minimum_tier_no_birthday_an_inactive_template_or_member_get_nothing():
    ids = occasion_coupons()
    born = date(1990, 3, 5)
    vip1, vip4, unknown = factories.member(), factories.member(), factories.member()
    set_birthday(vip1.id, born)
    set_birthday(vip4.id, born)
    move_to_tier(vip4.id, "VIP4")
    now = shanghai(2027, 3, 10, 12, 0)
    for member in (vip1, vip4, unknown):
        services.issue_coupons(member.id, now)
    assert occasion(vip1.id) == [] and occasion(unknown.id) == []
    assert [reason for _a, _m, reason, _e in occasion(vip4.id)] == ["birthday:2027"]
    # Reaching VIP2 within the birthday month earns it on the next visit.
    move_to_tier(vip1.id, "VIP2")
    assert len(services.issue_birthday_coupons(vip1.id, now + timedelta(days=2))) == 1
    # A template switched off, or a deactivated member, gets nothing new.
    late, closed = vip2_born(born), vip2_born(born)
    db.session.execute(update(Member).where(Member.id == closed.id).values(is_active_member=False))
    db.session.commit()
    assert services.issue_birthday_coupons(closed.id, now) == []
    template_services.set_template_active(ids["birthday"], False, actor=ACTOR, now=now)
    assert services.issue_birthday_coupons(late.id, now) == []


def test_a_birthday_template_with_a_minimum_tier_is_not_a_tier_coupon():
    occasion_coupons()
    member = factories.member()
    move_to_tier(member.id, "VIP2")  # no birthday set
    services.issue_coupons(member.id, shanghai(2027, 3, 10, 12, 0))
    assert sorted(c.amount_cents for c in coupons_of(member.id)) == [800, 1500]


# --- member day -------------------------------------------------------------------------------


def test_no_member_day_means_no_member_day_coupon_on_any_day():
    occasion_coupons()
    member = factories.member()
    for day in range(1, 32):
        services.issue_coupons(member.id, shanghai(2027, 3, day, 12, 0))
    assert occasion(member.id) == [] and len(coupons_of(member.id)) == 1  # VIP1's tier coupon


def test_the_member_day_is_the_brand_local_day():
    occasion_coupons()
    set_member_day(18)
    member = factories.member()
    services.issue_tier_coupons(member.id, shanghai(2027, 11, 1, 12, 0))
    # 23:30 on the 17th in Shanghai (15:30 UTC on the 17th): not yet.
    assert services.issue_member_day_coupons(member.id, shanghai(2027, 11, 17, 23, 30)) == []
    # 00:30 on the 18th in Shanghai is still 16:30 UTC on the 17th: the member day.
    assert shanghai(2027, 11, 18, 0, 30) == datetime(2027, 11, 17, 16, 30, tzinfo=UTC)
    assert len(services.issue_member_day_coupons(member.id, shanghai(2027, 11, 18, 0, 30))) == 1
    assert services.issue_coupons(member.id, shanghai(2027, 11, 18, 23, 30)) == []
    assert services.issue_coupons(member.id, shanghai(2027, 11, 19, 0, 30)) == []
    (coupon,) = [c for c in coupons_of(member.id) if c.reason_kind == "member_day"]
    assert (coupon.amount_cents, coupon.min_spend_cents) == (1000, 9900)
    assert (coupon.reason_key, coupon.expires_at) == ("memberday:2027-11", end_of(2027, 11, 18))
    assert coupon.is_usable(shanghai(2027, 11, 18, 23, 59))
    assert coupon.is_expired(shanghai(2027, 11, 19, 0, 0))
    # Next month, again once.
    assert len(services.issue_coupons(member.id, shanghai(2027, 12, 18, 9, 0))) == 1
    assert [reason for _a, _m, reason, _e in occasion(member.id)] == [
        "memberday:2027-11",
        "memberday:2027-12",
    ]


def test_a_member_day_coupon_from_a_minimum_tier_and_cleared_member_day():
    template(
        source="member_day", valid_days=1, tier_id=factories.tier("VIP3").id, name_en="MD VIP3"
    )
    set_member_day(5)
    vip1, vip3 = factories.member(), factories.member()
    move_to_tier(vip3.id, "VIP3")
    moment = shanghai(2027, 6, 5, 10, 0)
    assert services.issue_member_day_coupons(vip1.id, moment) == []
    assert len(services.issue_member_day_coupons(vip3.id, moment)) == 1
    set_member_day(None)
    assert services.issue_member_day_coupons(vip3.id, shanghai(2027, 7, 5, 10, 0)) == []


# --- the nightly command ----------------------------------------------------------------------


def test_the_nightly_command_issues_birthday_and_member_day_coupons_once(app):
    occasion_coupons()
    set_member_day(1)
    march_vip2, march_vip1 = vip2_born(date(1990, 3, 12)), factories.member()
    set_birthday(march_vip1.id, date(1990, 3, 12))
    no_birthday, april_vip3 = factories.member(), factories.member()
    move_to_tier(april_vip3.id, "VIP3")
    set_birthday(april_vip3.id, date(1990, 4, 2))
    members = [march_vip2, march_vip1, no_birthday, april_vip3]
    runner = app.test_cli_runner()
    # 00:30 on 1 March in Shanghai: the first night of March and the member day.
    with time_machine.travel(shanghai(2027, 3, 1, 0, 30), tick=False):
        first = runner.invoke(args=["coupons", "issue", "--batch", "2"])
        second = runner.invoke(args=["coupons", "issue"])
    assert "Issued 7 tier coupons and 0 paid-card coupons." in first.output, first.output
    assert "Issued 1 birthday coupons and 4 member-day coupons." in first.output, first.output
    assert "Issued 0 birthday coupons and 0 member-day coupons." in second.output
    with time_machine.travel(shanghai(2027, 3, 2, 0, 30), tick=False):
        third = runner.invoke(args=["coupons", "issue"])
    assert "Issued 0 birthday coupons and 0 member-day coupons." in third.output
    kinds = [sorted(c.reason_kind for c in coupons_of(m.id)) for m in members]
    assert kinds == [
        ["birthday", "member_day", "tier", "tier"],
        ["member_day", "tier"],
        ["member_day", "tier"],
        ["member_day", "tier", "tier", "tier"],
    ]
    assert occasion(march_vip2.id)[0] == (2000, 0, "birthday:2027", end_of(2027, 3, 31))


# --- template rules ---------------------------------------------------------------------------


def test_occasion_template_settings_are_checked_and_nothing_is_written():
    cases = [
        ({"source": "member_day", "valid_days": 30}, "member_day_days"),
        ({"source": "birthday", "valid_days": 32}, "birthday_days"),
        ({"source": "birthday", "valid_days": 31, "per_quarter": True}, "quarterly"),
        ({"source": "member_day", "valid_days": 1, "tier_id": 999999}, "tier"),
    ]
    for change, field in cases:
        with pytest.raises(TemplateRuleBroken) as error:
            template(**change)
        assert error.value.details["field"] == field
    assert db.session.scalars(select(CouponTemplate)).all() == []


def test_the_database_refuses_bad_occasion_templates():
    birthday = template(source="birthday", valid_days=31, tier_id=factories.tier("VIP2").id)
    template(source="member_day", valid_days=1, name_en="member day")
    bad = [
        f"UPDATE coupon_templates SET valid_days = 32 WHERE id = {birthday.id}",
        "UPDATE coupon_templates SET valid_days = 2 WHERE source = 'member_day'",
        f"UPDATE coupon_templates SET source = 'member_day' WHERE id = {birthday.id}",
        "UPDATE coupon_templates SET per_quarter = TRUE WHERE source = 'member_day'",
        "UPDATE coupon_templates SET source = 'anniversary' WHERE source = 'member_day'",
        f"UPDATE coupon_templates SET source = 'paid', valid_days = 30 WHERE id = {birthday.id}",
    ]
    for statement in bad:
        with pytest.raises(Exception, match="(?i)check"):
            db.session.execute(text(statement))
        db.session.rollback()
    kept = db.session.execute(
        select(CouponTemplate.source, CouponTemplate.valid_days).order_by(CouponTemplate.id)
    ).all()
    assert [tuple(row) for row in kept] == [("birthday", 31), ("member_day", 1)]
