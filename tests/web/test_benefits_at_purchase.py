"""Benefits at purchase as people see them: the card says so on the member day and in the
birthday month, the till shows and applies the member day's discount, the API's member
lookup answers it, and the owner sets it (frozen on the next Tuesday, noon in Shanghai: after
the real time, so that signed-in sessions made now are valid then)."""

import re
from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy import select

from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.services import program_rules, update_program_rules
from memberportal.purchases.models import Purchase
from tests import factories
from tests.points_helpers import ACTOR

EN = {"Accept-Language": "en"}


def _next_tuesday() -> datetime:
    """The first Tuesday 04:00 UTC (12:00 in Shanghai) after now whose Wednesday is in the
    same month (the birthday month holds on both days), on a day a monthly member day may be
    (1-28)."""
    day = datetime.now(UTC).replace(hour=4, minute=0, second=0, microsecond=0)
    day += timedelta(days=1)
    while day.weekday() != 1 or day.day > 27:
        day += timedelta(days=1)
    return day


TUESDAY = _next_tuesday()
WEDNESDAY = TUESDAY + timedelta(days=1)


def rules(**values):
    update_program_rules(actor=ACTOR, now=TUESDAY, **values)


def text_of(html: str, test_id: str) -> str:
    tag = rf'<(p|span|strong|dd)[^>]*data-testid="{test_id}"[^>]*>(.*?)</\1>'
    match = re.search(tag, html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(2))).strip() if match else ""


def test_the_card_says_member_day_and_birthday_month_on_the_day(member_web):
    rules(member_day_weekday=2, member_day_discount_bps=1000, birthday_multiplier_pct=150)
    db.session.execute(
        Member.__table__.update()
        .where(Member.id == member_web.member.id)
        .values(birthday=date(1990, TUESDAY.month, 20))
    )
    db.session.commit()
    with time_machine.travel(TUESDAY, tick=False):
        card = member_web.get("/card", headers=EN).get_data(as_text=True)
    assert text_of(card, "today-member-day") == (
        "Today is member day. 10% off at the till. 2× points on purchases."
    )
    assert text_of(card, "today-birthday") == (
        "It is your birthday month! 1.5× points on purchases all month."
    )
    with time_machine.travel(WEDNESDAY, tick=False):
        later = member_web.get("/card", headers=EN).get_data(as_text=True)
    assert 'data-testid="today-member-day"' not in later
    assert 'data-testid="today-birthday"' in later


def test_the_till_shows_and_records_the_member_day_discount(cashier_web):
    rules(member_day_weekday=2, member_day_discount_bps=1000)
    member = factories.member()
    page = f"/merchant/purchases/member/{member.id}"
    with time_machine.travel(TUESDAY, tick=True):
        html = cashier_web.get(page, headers=EN).get_data(as_text=True)
        assert text_of(html, "checkout-discount") == "10% off now"
        assert text_of(html, "checkout-discount-kind") == "Member day"
        quote = cashier_web.client.post(
            f"{page}/quote", data={"amount": "88", "coupon": "0"},
            headers={**EN, "HX-Request": "true", "X-CSRFToken": _csrf(html)},
        ).get_data(as_text=True)  # fmt: skip
        assert "Member day discount (10%)" in quote
        assert text_of(quote, "quote-paid") == "CN¥79.20"
        ref = re.search(r'name="order_ref"[^>]*value="([^"]+)"', html).group(1)
        done = cashier_web.submit(
            page, {"amount": "88", "order_ref": ref, "coupon": "0"}, headers=EN
        )
        assert done.status_code == 303
        flashed = cashier_web.get(page, headers=EN).get_data(as_text=True)
        assert "Member day discount CN¥8.80." in flashed
        assert text_of(flashed, "purchase-discount") == "Member day discount (10%) −CN¥8.80"
    row = db.session.scalars(select(Purchase).where(Purchase.order_ref == ref)).one()
    assert (row.discount_kind, row.discount_bps, row.discount_cents, row.amount_cents) == (
        "member_day", 1000, 880, 7920,
    )  # fmt: skip
    with time_machine.travel(WEDNESDAY, tick=True):
        html = cashier_web.get(page, headers=EN).get_data(as_text=True)
    assert text_of(html, "checkout-no-card") == "No paid card: no discount."


def test_the_api_member_lookup_answers_the_discount_now(client, app):
    from memberportal.api import services as api
    from memberportal.core.actors import SystemActor

    _client, token = api.create_client("Till", actor=SystemActor())
    headers = {"Authorization": f"Bearer {token}"}
    rules(member_day=TUESDAY.day, member_day_discount_bps=1200)  # a monthly member day
    member = factories.member()
    with time_machine.travel(TUESDAY, tick=True):
        body = client.get(f"/api/v1/members/{member.member_no}", headers=headers).get_json()
    assert body["discount"] == {"kind": "member_day", "discount_bps": 1200}
    with time_machine.travel(WEDNESDAY, tick=True):
        body = client.get(f"/api/v1/members/{member.member_no}", headers=headers).get_json()
    assert body["discount"] is None


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


FORM = {
    "rate_pct": "100", "expiry_policy": "rolling", "expiry_months": "12",
    "clearing_month": "12", "clearing_day": "31", "clearing_years_after": "1",
    "interaction_cap_pct": "40", "qualification_months": "12", "member_day": "",
    "member_day_multiplier_pct": "200", "sign_in_growth": "5", "profile_growth": "20",
    "review_growth": "10", "referral_points": "100", "share_growth": "10",
    "approval_threshold_points": "1000", "member_day_weekday": "5",
    "member_day_discount_bps": "12.5", "birthday_multiplier_pct": "150", "sign_in_points": "5",
    "streak_bonus_days": "7", "streak_bonus_points": "20", "streak_bonus_growth": "10",
    "referral_welcome_points": "50", "referral_monthly_cap": "10",
    "referral_hold_until_purchase": "y",
}  # fmt: skip


def test_the_owner_sets_a_weekly_member_day_with_a_discount(owner_web):
    assert owner_web.submit("/merchant/points/rules", FORM).status_code == 303
    saved = program_rules()
    assert (saved.member_day_weekday, saved.member_day_discount_bps) == (5, 1250)
    assert saved.birthday_multiplier_pct == 150
    page = owner_web.get("/merchant/points/rules", headers=EN).get_data(as_text=True)
    assert re.search(r'name="member_day_discount_bps"[^>]*value="12.5"', page)

    both = owner_web.submit("/merchant/points/rules", {**FORM, "member_day": "10"}, headers=EN)
    assert both.status_code == 422
    assert "Choose a monthly or a weekly member day, not both." in both.get_data(as_text=True)
    bad = owner_web.submit(
        "/merchant/points/rules", {**FORM, "member_day_discount_bps": "95"}, headers=EN
    )
    assert bad.status_code == 422
    assert "Enter a discount from 0 to 90 percent." in bad.get_data(as_text=True)
    db.session.expire_all()
    assert (program_rules().member_day, program_rules().member_day_discount_bps) == (None, 1250)
