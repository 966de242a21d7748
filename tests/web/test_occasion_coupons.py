"""Birthday-month and member-day coupons on the pages: what the member sees and why, the
manager's template form in both languages, and refusals that change nothing."""

import re
from contextlib import contextmanager
from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import func, select

from memberportal.audit.models import AuditEntry
from memberportal.coupons.models import CouponTemplate
from memberportal.extensions import db
from tests import factories
from tests.coupon_helpers import (
    coupons_of,
    move_to_tier,
    occasion_coupons,
    set_birthday,
    set_member_day,
)

MEMBER_DAY_NOON = datetime(2027, 3, 18, 4, 0, tzinfo=UTC)  # noon, 18 March, in Shanghai


def text_of(response) -> str:
    return response.get_data(as_text=True)


@contextmanager
def at(moment: datetime, web):
    """At `moment`, with the member signed in again there (a session from today's real date
    would have lapsed by then)."""
    with time_machine.travel(moment, tick=False):
        web.submit("/login", {"contact": web.member.phone, "password": factories.PASSWORD})
        yield


def template_form(**kw):
    return {
        "name_zh": "生日月无门槛20元券",
        "name_en": "Birthday 20 off",
        "amount": "20",
        "min_spend": "0",
        "valid_days": "31",
        "source": "birthday",
        "tier_id": "0",
        **kw,
    }


def test_member_sees_why_the_birthday_and_member_day_coupons_were_given(member_web):
    occasion_coupons()
    set_member_day(18)
    member = member_web.member
    move_to_tier(member.id, "VIP2")
    set_birthday(member.id, date(1992, 3, 9))
    with at(MEMBER_DAY_NOON, member_web):
        card = text_of(member_web.get("/card"))
        page = text_of(member_web.get("/coupons/"))
        english = text_of(member_web.get("/coupons/", headers={"Accept-Language": "en"}))
    assert "我的优惠券（4）" in card  # VIP1's and VIP2's tier coupons, birthday, member day
    reasons = re.findall(r'data-testid="coupon-reason"><span class="badge ok">([^<]*)<', page)
    assert sorted(reasons) == ["会员日", "生日月"]
    assert "生日月无门槛20元券" in page and "减 ¥20.00" in page
    assert "会员日满99减10" in page and "满 ¥99.00 可用" in page
    # The member-day coupon ends today, the birthday one with March (both Shanghai days).
    assert "有效期至 2027-03-18" in page and "有效期至 2027-03-31" in page
    assert "Birthday month" in english and "Member day" in english
    assert len(coupons_of(member.id)) == 4


def test_outside_the_birthday_month_and_the_member_day_nothing_is_shown(member_web):
    occasion_coupons()
    set_member_day(18)
    move_to_tier(member_web.member.id, "VIP2")
    set_birthday(member_web.member.id, date(1992, 4, 9))
    with at(datetime(2027, 3, 17, 15, 30, tzinfo=UTC), member_web):  # 23:30 on the 17th
        page = text_of(member_web.get("/coupons/"))
    assert 'data-testid="coupon-reason"' not in page and page.count('data-testid="coupon"') == 2


def test_manager_sets_up_birthday_and_member_day_coupons(manager_web):
    form = text_of(manager_web.get("/merchant/coupons/templates/new"))
    assert "生日月：每年在会员生日所在月份发放一次" in form
    assert "会员日：每月在会员日发放一次" in form
    assert "生日券：1 至 31 天，且不超过生日月月底，以先到者为准。" in form  # the help text
    assert 'data-testid="no-member-day"' in form
    english = text_of(
        manager_web.get("/merchant/coupons/templates/new", headers={"Accept-Language": "en"})
    )
    assert "Birthday month: once a year, in the member's birthday month" in english
    assert "Member day: once a month, on the program's member day" in english
    assert "never past the end of the birthday month, whichever ends first" in english
    vip2 = factories.tier("VIP2")
    birthday = manager_web.submit(
        "/merchant/coupons/templates/new", template_form(tier_id=str(vip2.id))
    )
    member_day = manager_web.submit(
        "/merchant/coupons/templates/new",
        template_form(
            name_zh="会员日满99减10", name_en="MD 10 off 99", amount="10", min_spend="99",
            valid_days="1", source="member_day",
        ),
    )  # fmt: skip
    assert birthday.status_code == 303 and member_day.status_code == 303
    columns = (CouponTemplate.source, CouponTemplate.tier_id, CouponTemplate.valid_days)
    made = db.session.execute(select(*columns).order_by(CouponTemplate.id)).all()
    assert [tuple(row) for row in made] == [("birthday", vip2.id, 31), ("member_day", None, 1)]
    listing = text_of(manager_web.get("/merchant/coupons/templates"))
    assert "生日月，VIP2 银卡会员及以上" in listing and "会员日，所有会员" in listing
    assert "仅会员日当天" in listing and "31 天，不超过生日月" in listing
    assert "会员规则中尚未设置会员日" in listing
    set_member_day(18)
    listing = text_of(manager_web.get("/merchant/coupons/templates"))
    assert "会员日为每月 18 号。" in listing and 'data-testid="no-member-day"' not in listing
    first = db.session.scalar(select(func.min(CouponTemplate.id)))
    edit = text_of(manager_web.get(f"/merchant/coupons/templates/{first}"))
    assert '<input checked id="source-2" name="source" type="radio" value="birthday">' in edit
    assert f'<option selected value="{vip2.id}">' in edit


def test_bad_combinations_are_refused_naming_the_field_and_change_nothing(owner_web):
    vip1 = factories.tier("VIP1")
    cases = [
        (
            {"source": "member_day", "valid_days": "30"},
            "valid_days",
            "会员日优惠券仅在会员日当天有效：请将“有效天数”设为 1 天。",
        ),
        (
            {"valid_days": "45"},
            "valid_days",
            "生日券最晚在生日月结束时失效：请将“有效天数”设为 1 至 31 天。",
        ),
        ({"per_quarter": "y"}, "per_quarter", "只有付费卡优惠券可以按季度发放。"),
        (
            {"source": "paid", "tier_id": str(vip1.id)},
            "tier_id",
            "付费卡优惠券不关联等级：请将等级留空。",
        ),
        ({"source": "anniversary"}, "source", ""),
    ]
    for change, field, message in cases:
        response = owner_web.submit("/merchant/coupons/templates/new", template_form(**change))
        assert response.status_code == 422, change
        page = text_of(response)
        # The message sits in the named field's box, marked as an error.
        (box,) = [b for b in page.split('<div class="field') if f'id="{field}"' in b]
        assert box.startswith(' has-error"') and 'class="error" role="alert"' in box, change
        assert message in box, (change, box)
    assert db.session.scalar(select(func.count()).select_from(CouponTemplate)) == 0
    audited = select(AuditEntry).where(AuditEntry.action.like("coupon_%"))
    assert db.session.scalars(audited).all() == []


def test_editing_into_a_bad_combination_changes_nothing(manager_web):
    ids = occasion_coupons()
    url = f"/merchant/coupons/templates/{ids['birthday']}"
    vip2 = factories.tier("VIP2")
    refused = manager_web.submit(
        url, template_form(source="member_day", valid_days="31", tier_id=str(vip2.id))
    )
    assert refused.status_code == 422 and "请将“有效天数”设为 1 天" in text_of(refused)
    db.session.expire_all()
    kept = db.session.get(CouponTemplate, ids["birthday"])
    assert (kept.source, kept.valid_days, kept.tier_id, kept.amount_cents) == (
        "birthday",
        31,
        vip2.id,
        2000,
    )
    updates = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "coupon_template.updated")
    ).all()
    assert updates == []
