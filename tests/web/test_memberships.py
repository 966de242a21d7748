"""The member's SVIP pages (demo mode) and the owner's paid-membership pages."""

import re

import pytest
from sqlalchemy import select

from memberportal.audit.models import AuditEntry
from memberportal.extensions import db
from memberportal.memberships import demo as membership_demo
from memberportal.memberships.models import Checkout, Plan
from tests.webhooks.stripe_sim import count


@pytest.fixture
def svip():
    membership_demo.load()
    db.session.commit()
    return db.session.scalars(select(Plan).where(Plan.code == "SVIP")).one()


def join_and_pay(member_web):
    joined = member_web.submit("/membership/join/SVIP", page="/membership/")
    assert joined.status_code == 303 and "/membership/demo-checkout/cs_" in joined.location
    session_id = joined.location.rsplit("/", 1)[1]
    paid = member_web.submit(f"/membership/demo-checkout/{session_id}/pay", page=joined.location)
    assert paid.status_code == 303
    return session_id, paid.location


def test_plans_page_shows_prices_and_benefits(member_web, svip):
    page = member_web.get("/membership/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "SVIP paid membership" in page
    assert "CN¥99.00" in page and "CN¥199.00" in page and "1.5x points" in page


def test_join_pay_and_see_the_membership_and_card(member_web, svip):
    session_id, return_url = join_and_pay(member_web)
    page = member_web.get(return_url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-testid="checkout-done"' in page
    until = re.search(r'data-testid="paid-until">([\d-]+)<', page).group(1)
    assert "CN¥199.00 on " + until in page  # next renewal at the full price
    card = member_web.get("/card", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-testid="svip-badge">SVIP<' in card and f"Paid until {until}" in card
    assert count(Checkout, Checkout.state == "completed") == 1


def test_double_click_opens_one_checkout(member_web, svip):
    first = member_web.submit("/membership/join/SVIP", page="/membership/")
    second = member_web.submit("/membership/join/SVIP", page="/membership/")
    assert first.location == second.location
    assert count(Checkout) == 1


def test_paying_twice_makes_one_subscription(member_web, svip):
    joined = member_web.submit("/membership/join/SVIP", page="/membership/")
    session_id = joined.location.rsplit("/", 1)[1]
    html = member_web.get(joined.location).get_data(as_text=True)
    from tests.conftest import csrf_from

    token = csrf_from(html)
    for _ in range(2):
        member_web.client.post(
            f"/membership/demo-checkout/{session_id}/pay", data={"csrf_token": token}
        )
    from memberportal.memberships.models import BillingRecord, Membership

    assert count(Membership) == 1 and count(BillingRecord) == 1


def test_return_page_says_processing_until_the_webhook_arrived(member_web, svip):
    joined = member_web.submit("/membership/join/SVIP", page="/membership/")
    session_id = joined.location.rsplit("/", 1)[1]
    page = member_web.get(f"/membership/return?session_id={session_id}")
    html = page.get_data(as_text=True)
    assert 'data-testid="checkout-processing"' in html and 'hx-trigger="every 2s"' in html
    fragment = member_web.get(
        f"/membership/return?session_id={session_id}", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "<html" not in fragment and "checkout-processing" in fragment


def test_another_members_checkout_is_not_found(member_web, svip, app):
    from tests import factories
    from tests.conftest import Browser

    session_id, _ = join_and_pay(member_web)
    factories.member(contact="13900000999")
    other = Browser(app.test_client())
    other.submit("/login", {"contact": "13900000999", "password": factories.PASSWORD})
    assert other.get(f"/membership/return?session_id={session_id}").status_code == 404
    assert other.get(f"/membership/demo-checkout/{session_id}").status_code == 404


def test_cancel_at_period_end_shows_the_end_date(member_web, svip):
    join_and_pay(member_web)
    response = member_web.submit("/membership/cancel", page="/membership/")
    assert response.status_code == 303
    page = member_web.get("/membership/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    until = re.search(r'data-testid="paid-until">([\d-]+)<', page).group(1)
    assert f"Ends on {until}" in page and 'data-testid="cancel-membership"' not in page
    assert count(AuditEntry, AuditEntry.action == "membership.cancel_requested") == 1


def test_cannot_join_twice_while_active(member_web, svip):
    join_and_pay(member_web)
    response = member_web.submit("/membership/join/SVIP", page="/membership/")
    assert response.status_code == 409
    assert "already have a paid membership" in response.get_data(as_text=True) or (
        "您已是付费会员" in response.get_data(as_text=True)
    )


def test_owner_sees_paid_members_revenue_and_billing(member_web, owner_web, svip):
    join_and_pay(member_web)
    member = member_web.member
    page = owner_web.get("/merchant/memberships/", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    row = html[html.index(f'data-testid="paid-member-{member.member_no}"') :]
    assert ">Active<" in row[:800] and "CN¥99.00" in row[:800]
    billing = owner_web.get(
        f"/merchant/memberships/members/{member.id}", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert billing.count('data-testid="billing-row"') == 1 and "CN¥99.00" in billing


def test_owner_reads_statuses_and_plan_states_as_words(member_web, owner_web, svip):
    join_and_pay(member_web)
    member = member_web.member
    html = owner_web.get("/merchant/memberships/").get_data(as_text=True)
    row = html[html.index(f'data-testid="paid-member-{member.member_no}"') :][:800]
    assert 'data-testid="status">有效<' in row and ">active<" not in row
    billing = owner_web.get(f"/merchant/memberships/members/{member.id}").get_data(as_text=True)
    assert "<td>有效</td>" in billing and "<td>active</td>" not in billing
    plans = owner_web.get("/merchant/memberships/plans/").get_data(as_text=True)
    assert "<td>在售</td>" in plans and "<td>active</td>" not in plans


def test_payments_pages_are_owner_only(manager_web, cashier_web, svip):
    for browser in (manager_web, cashier_web):
        for url in ("/merchant/memberships/", "/merchant/memberships/plans/"):
            assert browser.get(url).status_code == 403


def test_owner_creates_and_edits_a_plan_with_audit(owner_web, svip):
    data = {
        "code": "MONTHLY",
        "name_zh": "月卡",
        "name_en": "Monthly card",
        "price": "19.90",
        "billing_interval": "month",
        "first_period_price": "",
        "points_multiplier_pct": "120",
        "discount_bps": "300",
        "benefits_zh": "积分1.2倍",
        "benefits_en": "1.2x points",
        "state": "draft",
    }
    created = owner_web.submit("/merchant/memberships/plans/new", data)
    assert created.status_code == 303
    plan = db.session.scalars(select(Plan).where(Plan.code == "MONTHLY")).one()
    assert plan.price_cents == 1990 and plan.billing_interval == "month"
    edited = owner_web.submit(
        f"/merchant/memberships/plans/{plan.id}/edit", {**data, "price": "29.90", "state": "active"}
    )
    assert edited.status_code == 303
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).price_cents == 2990
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject_type == "plan")
    ).all()
    assert actions == ["plan.created", "plan.updated"]


def test_invalid_plan_changes_nothing(owner_web, svip):
    bad = owner_web.submit(
        f"/merchant/memberships/plans/{svip.id}/edit",
        {
            "name_zh": "x",
            "name_en": "x",
            "price": "99",
            "first_period_price": "120",
            "billing_interval": "year",
            "points_multiplier_pct": "150",
            "discount_bps": "500",
            "state": "active",
        },
    )
    assert bad.status_code == 422
    db.session.expire_all()
    assert db.session.get(Plan, svip.id).price_cents == 19900
    dupe = owner_web.submit(
        "/merchant/memberships/plans/new",
        {
            "code": "SVIP",
            "name_zh": "x",
            "name_en": "x",
            "price": "1",
            "state": "draft",
            "billing_interval": "year",
            "points_multiplier_pct": "100",
            "discount_bps": "0",
        },
    )
    assert dupe.status_code == 422 and count(Plan) == 1
