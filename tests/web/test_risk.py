"""The risk pages: who may open them, the flags a manager reads, reviews, freezes and the
owner's thresholds; refused input changes nothing."""

from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from memberportal.audit.models import AuditEntry
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.risk import services
from memberportal.risk.models import RiskFlag, RiskRules
from tests import factories
from tests.conftest import csrf_from
from tests.risk_helpers import buy, flags


def english(browser):
    browser.client.set_cookie("lang", "en")
    return browser


def a_big_purchase():
    member = factories.member(name="Wang Fang")
    buy(member.id, 650_000, utcnow())
    return member


def risk_page(browser) -> str:
    response = browser.get("/merchant/risk/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_manager_opening_the_page_scans_and_sees_the_flag(manager_web):
    member = a_big_purchase()
    html = risk_page(english(manager_web))
    assert len(flags()) == 1  # the visit ran the scan
    assert 'data-testid="risk-flag" data-rule="big_purchase"' in html
    assert f'href="/merchant/members/{member.id}"' in html
    assert "Wang Fang" in html and member.member_no in html
    assert "CN¥6,500.00 (limit CN¥5,000.00)" in html
    shanghai = flags()[0].detected_at.astimezone(ZoneInfo("Asia/Shanghai"))
    shown = f"{shanghai:%-m/%-d/%y}, {shanghai.hour % 12 or 12}:{shanghai:%M}"
    assert shown in html.replace("\u202f", " ")  # the brand's time, not UTC
    assert "Large purchase" in html


def test_cashiers_are_refused_and_only_the_owner_sets_thresholds(cashier_web, manager_web,
                                                                 owner_web):  # fmt: skip
    a_big_purchase()
    assert cashier_web.get("/merchant/risk/").status_code == 403
    assert flags() == []  # a refused visit scanned nothing
    assert manager_web.get("/merchant/risk/rules").status_code == 403
    assert owner_web.get("/merchant/risk/rules").status_code == 200
    assert owner_web.get("/merchant/risk/").status_code == 200
    manager_nav = manager_web.get("/merchant/").get_data(as_text=True)
    cashier_nav = cashier_web.get("/merchant/").get_data(as_text=True)
    assert "/merchant/risk/" in manager_nav and "/merchant/risk/" not in cashier_nav


def test_reviewing_needs_a_note_and_then_closes_the_flag(manager_web):
    a_big_purchase()
    html = risk_page(english(manager_web))
    [flag] = flags()
    token = csrf_from(html)
    url = f"/merchant/risk/flags/{flag.id}/review"
    field = f"flag-{flag.id}-note"
    refused = manager_web.client.post(url, data={"csrf_token": token, field: "  "})
    assert refused.status_code == 422
    assert "Write a note of at most 500 characters." in refused.get_data(as_text=True)
    assert flags()[0].status == "open"
    done = manager_web.client.post(url, data={"csrf_token": token, field: "Receipt checked."})
    assert done.status_code == 303
    [flag] = flags()
    assert (flag.status, flag.review_note) == ("reviewed", "Receipt checked.")
    assert flag.reviewed_by.startswith("manager ")
    again = manager_web.client.post(url, data={"csrf_token": token, field: "Twice."})
    assert again.status_code == 422
    assert "This flag has already been reviewed." in again.get_data(as_text=True)
    assert flags()[0].review_note == "Receipt checked."
    assert 'data-testid="risk-flag"' not in risk_page(manager_web)


def test_a_manager_freezes_and_unfreezes_a_member(manager_web, member_web):
    member = member_web.member
    english(member_web)
    url = f"/merchant/risk/members/{member.id}/freeze"
    refused = english(manager_web).submit(url, {"reason": " "})
    assert refused.status_code == 422
    assert "Give a reason of at most 500 characters." in refused.get_data(as_text=True)
    assert _frozen(member.id) is None
    assert manager_web.submit(url, {"reason": "Refunds after redeeming."}).status_code == 303
    assert _frozen(member.id) == "Refunds after redeeming."
    staff_page = manager_web.get(f"/merchant/members/{member.id}").get_data(as_text=True)
    assert 'data-testid="member-frozen"' in staff_page and "Refunds after redeeming." in staff_page
    card = member_web.get("/card").get_data(as_text=True)
    assert "Your account is under review; please contact the store." in card
    assert "Refunds after redeeming." not in card  # staff's words stay with staff
    page = risk_page(manager_web)
    assert 'data-testid="frozen-member"' in page
    again = manager_web.submit(url, {"reason": "Twice."})
    assert again.status_code == 422 and _frozen(member.id) == "Refunds after redeeming."
    unfreeze = manager_web.client.post(
        f"/merchant/risk/members/{member.id}/unfreeze", data={"csrf_token": csrf_from(page)}
    )
    assert unfreeze.status_code == 303
    assert _frozen(member.id) is None
    assert "under review" not in member_web.get("/card").get_data(as_text=True)
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject_id == member.id).order_by(AuditEntry.id)
    ).all()
    assert actions[-2:] == ["risk.member_frozen", "risk.member_unfrozen"]


def _frozen(member_id: int) -> str | None:
    db.session.expire_all()
    return db.session.get(Member, member_id).frozen_reason


def test_threshold_refusals_name_the_field_and_change_nothing(owner_web):
    english(owner_web)
    url = "/merchant/risk/rules"
    good = {"big_purchase": "3000", "daily_purchases": "5", "refund_rate_pct": "40"}
    for bad, message in [
        ({"daily_purchases": "0"}, "Between 1 and 1000."),
        ({"refund_rate_pct": "100"}, "Between 1 and 99 percent."),
        ({"big_purchase": "0.5"}, "Between ¥1 and ¥1,000,000."),
        ({"big_purchase": "12.345"}, "Enter an amount in yuan with at most two decimals"),
    ]:
        response = owner_web.submit(url, {**good, **bad})
        assert response.status_code == 422, bad
        assert message in response.get_data(as_text=True), bad
    assert db.session.get(RiskRules, 1) is None
    assert owner_web.submit(url, good).status_code == 303
    db.session.expire_all()
    saved = db.session.get(RiskRules, 1)
    assert (saved.big_purchase_cents, saved.daily_purchases, saved.refund_rate_pct) == (
        300_000, 5, 40,
    )  # fmt: skip
    assert 'value="3000.00"' in owner_web.get(url).get_data(as_text=True)
    assert services.thresholds().daily_purchases == 5


def test_posts_without_a_token_change_nothing(manager_web):
    a_big_purchase()
    risk_page(manager_web)
    [flag] = flags()
    response = manager_web.client.post(
        f"/merchant/risk/flags/{flag.id}/review", data={f"flag-{flag.id}-note": "No token."}
    )
    assert response.status_code == 400
    assert flags()[0].status == "open"
    assert db.session.scalar(select(func.count(RiskFlag.id))) == 1


def test_a_burst_of_invites_shows_on_the_risk_page_and_its_limit_is_the_owners(
    manager_web, owner_web
):
    from memberportal.referrals.services import record_referral
    from tests.points_helpers import ACTOR

    saved = owner_web.submit(
        "/merchant/risk/rules",
        {"big_purchase": "5000.00", "daily_purchases": "8", "refund_rate_pct": "50",
         "referrals_per_day": "2"},
    )  # fmt: skip
    assert saved.status_code == 303 and services.thresholds().referrals_per_day == 2
    farmer = factories.member(name="刷单者")
    for _ in range(3):
        record_referral(farmer.member_no, factories.member().id, actor=ACTOR, now=utcnow())
    page = risk_page(english(manager_web))
    assert "Many friends joined through one link in one day" in page
    assert "3 friends joined on" in page and "(limit 2)" in page and "刷单者" in page
