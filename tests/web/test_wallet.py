"""Stored-value pages: the member's wallet and demo top-up, the counter, refunds, plans and
liability, as people use them (CSRF on, numbers read off the page)."""

import re

from sqlalchemy import func, select

from memberportal.extensions import db
from memberportal.payments.models import StripeEvent
from memberportal.wallet.models import Spend, TopUp, TopUpPlan
from tests import factories
from tests.wallet_helpers import pay, plan, state, topped_up


def shown(html: str, name: str) -> str:
    match = re.search(rf'data-testid="{name}"[^>]*>([^<]*)<', html)
    assert match, f"no {name} on the page"
    return match.group(1).strip()


def test_member_tops_up_in_demo_mode_through_the_webhook(member_web):
    found = plan(50000, 5000)
    page = member_web.get("/wallet/").get_data(as_text=True)
    assert "550.00" in page and shown(page, "wallet-total").endswith("0.00")
    response = member_web.submit(f"/wallet/plans/{found.id}/topup", page="/wallet/")
    assert response.status_code == 303 and "/wallet/demo-payment/" in response.location
    checkout = response.location
    assert "500.00" in member_web.get(checkout).get_data(as_text=True)
    assert state(member_web.member.id)["principal"] == 0  # nothing before the webhook
    done = member_web.submit(f"{checkout}/pay", page=checkout)
    assert done.status_code == 303
    page = member_web.get(done.location).get_data(as_text=True)
    assert "550.00" in shown(page, "wallet-total")
    assert "500.00" in shown(page, "wallet-principal")
    assert "50.00" in shown(page, "wallet-bonus")
    assert 'data-testid="entry-topup"' in page and 'data-testid="topup-status"' in page
    event = db.session.scalars(select(StripeEvent)).one()
    assert event.outcome == "applied"


def test_abandoned_top_up_credits_nothing(member_web):
    found = plan(50000, 5000)
    checkout = member_web.submit(f"/wallet/plans/{found.id}/topup", page="/wallet/").location
    member_web.submit(f"{checkout}/abandon", page=checkout)
    db.session.expire_all()
    assert db.session.scalars(select(TopUp)).one().state == "expired"
    assert state(member_web.member.id)["principal"] == 0


def test_another_members_demo_checkout_is_not_found(member_web, app):
    other = factories.member(contact="13700000099")
    found = plan(50000, 5000)
    from memberportal.wallet import services
    from tests.wallet_helpers import ACTOR, T0

    topup = services.start_topup(found.id, other.id, actor=ACTOR, now=T0)
    services.attach_session(topup.id, "cs_other")
    assert member_web.get("/wallet/demo-payment/cs_other").status_code == 404


def test_top_up_without_csrf_is_refused(member_web):
    found = plan(50000, 5000)
    response = member_web.client.post(f"/wallet/plans/{found.id}/topup")
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(TopUp)) == 0


def test_cashier_takes_a_payment_at_the_counter(cashier_web):
    cashier_web.client.set_cookie("lang", "en")
    member = factories.member()
    topped_up(member.id, 50000, 5000)
    page = cashier_web.get(f"/merchant/wallet/counter?code={member.member_no}&amount=110")
    html = page.get_data(as_text=True)
    assert "550.00" in shown(html, "counter-balance")
    assert "100.00" in shown(html, "counter-preview") and "10.00" in shown(html, "counter-preview")
    order_ref = re.search(r'name="order_ref"[^>]*value="([^"]+)"', html).group(1)
    url = f"/merchant/wallet/counter?code={member.member_no}&amount=110"
    data = {"member_id": member.id, "amount": "110", "order_ref": order_ref}
    response = cashier_web.submit("/merchant/wallet/counter", data, page=url)
    assert response.status_code == 303
    # The same confirmation sent twice (a double tap) pays once.
    again = cashier_web.submit("/merchant/wallet/counter", data, page=url)
    assert again.status_code == 422
    assert "already paid" in again.get_data(as_text=True)
    assert state(member.id)["principal"] == 40000 and state(member.id)["bonus"] == 4000
    page = cashier_web.get(response.location).get_data(as_text=True)
    assert "440.00" in shown(page, "staff-wallet-total")


def test_counter_refuses_an_amount_above_the_balance(cashier_web):
    cashier_web.client.set_cookie("lang", "en")
    member = factories.member()
    topped_up(member.id, 50000, 5000)
    url = f"/merchant/wallet/counter?code={member.member_no}&amount=550.01"
    html = cashier_web.get(url).get_data(as_text=True)
    assert 'data-testid="counter-short"' in html and "counter-confirm" not in html
    data = {"member_id": member.id, "amount": "550.01", "order_ref": "X1"}
    response = cashier_web.submit("/merchant/wallet/counter", data, page=url)
    assert response.status_code == 422
    assert "does not cover" in response.get_data(as_text=True)
    assert state(member.id)["principal"] == 50000


def test_counter_with_bad_amount_says_so(cashier_web):
    cashier_web.client.set_cookie("lang", "en")
    member = factories.member()
    html = cashier_web.get(f"/merchant/wallet/counter?code={member.member_no}&amount=1.234")
    assert "at most two decimals" in html.get_data(as_text=True)


def test_cashier_refunds_part_of_a_payment(cashier_web):
    member = factories.member()
    topped_up(member.id, 50000, 5000)
    spent = pay(member.id, 11000)
    page = f"/merchant/wallet/members/{member.id}"
    response = cashier_web.submit(
        f"/merchant/wallet/spends/{spent.id}/refund",
        {"amount": "55", "reason": "returned one", "refund_ref": "r-1"},
        page=page,
    )
    assert response.status_code == 303
    html = cashier_web.get(page).get_data(as_text=True)
    assert "55.00" in shown(html, f"spend-refunded-{spent.id}")
    assert "495.00" in shown(html, "staff-wallet-total")
    assert state(member.id) == {"principal": 45000, "bonus": 4500,
                                "ledger_principal": 45000, "ledger_bonus": 4500}  # fmt: skip


def test_owner_refunds_a_top_up_through_the_demo_gateway(owner_web):
    member = factories.member()
    found = plan(50000, 5000)
    from memberportal.payments.gateway import get_gateway
    from memberportal.wallet import payments

    with owner_web.client.application.test_request_context():
        started, _url = payments.begin_topup(
            found.id, member.id, success_url=lambda _id: "http://x/", cancel_url="http://x/",
            now=found.created_at,
        )  # fmt: skip
        topup_id, session_id = started.id, started.checkout_session_id
        get_gateway().pay_payment(session_id)
    topup = db.session.get(TopUp, topup_id)
    pay(member.id, 11000)
    page = f"/merchant/wallet/members/{member.id}"
    response = owner_web.submit(f"/merchant/wallet/topups/{topup.id}/refund", page=page)
    assert response.status_code == 303
    db.session.expire_all()
    refunded = db.session.get(TopUp, topup.id)
    assert refunded.state == "refunded"  # the charge.refunded webhook closed it
    assert refunded.refunded_principal_cents == 40000
    assert refunded.forfeited_bonus_cents == 4000
    assert state(member.id)["principal"] == 0 and state(member.id)["bonus"] == 0
    html = owner_web.get(page).get_data(as_text=True)
    assert "400.00" in shown(html, f"topup-state-{topup.id}")


def test_cashier_cannot_refund_a_top_up_nor_edit_plans(cashier_web):
    member = factories.member()
    topup = topped_up(member.id)
    html = cashier_web.get(f"/merchant/wallet/members/{member.id}").get_data(as_text=True)
    assert f"refund-topup-{topup.id}" not in html
    from tests.conftest import csrf_from

    response = cashier_web.client.post(
        f"/merchant/wallet/topups/{topup.id}/refund", data={"csrf_token": csrf_from(html)}
    )
    assert response.status_code == 403
    assert cashier_web.get("/merchant/wallet/plans").status_code == 403
    assert cashier_web.get("/merchant/wallet/liability").status_code == 403
    assert state(member.id)["principal"] == 50000


def test_owner_creates_a_plan_and_members_see_it(owner_web, app):
    owner_web.client.set_cookie("lang", "en")
    data = {"name_zh": "充1000送150", "name_en": "Top up 1000", "pay": "1000", "bonus": "150",
            "bonus_points": "100", "min_tier_id": "0", "active": "y"}  # fmt: skip
    response = owner_web.submit("/merchant/wallet/plans/new", data)
    assert response.status_code == 303
    saved = db.session.scalars(select(TopUpPlan)).one()
    assert (saved.pay_cents, saved.bonus_cents, saved.bonus_points) == (100000, 15000, 100)
    bad = owner_web.submit("/merchant/wallet/plans/new", {**data, "bonus": "2000"})
    assert bad.status_code == 422 and "up to the amount paid" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(TopUpPlan)) == 1
    html = owner_web.get("/merchant/wallet/plans").get_data(as_text=True)
    assert "1,150.00" in html


def test_owner_sees_the_liability(owner_web):
    from memberportal.core.clock import local_date, utcnow

    now = utcnow()
    a, b = factories.member(), factories.member()
    topped_up(a.id, 50000, 5000, now=now)
    topped_up(b.id, 100000, 15000, now=now)
    pay(b.id, 11500, now=now)
    html = owner_web.get("/merchant/wallet/liability").get_data(as_text=True)
    month = local_date(now).strftime("%Y-%m")
    row = re.search(rf'data-testid="month-{month}">(.*?)</tr>', html, re.S).group(1)
    assert "1,400.00" in shown(row, "net-principal")  # 1,500 paid in, 100 spent
    assert "185.00" in shown(row, "net-bonus")
    assert "1,585.00" in shown(html, "liability-total")
    assert "1,400.00" in shown(html, "liability-principal")
    assert "185.00" in shown(html, "liability-bonus")
    assert shown(html, "liability-wallets") == "2"


def test_spends_are_listed_only_for_staff(member_web):
    member = member_web.member
    topped_up(member.id)
    assert member_web.get(f"/merchant/wallet/members/{member.id}").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Spend)) == 0


def test_owner_ties_a_tier_to_the_balance_and_the_member_is_told(owner_web, app):
    from memberportal.wallet.models import BalanceTier, WalletSettings

    member = factories.member(contact="13700000055")
    vip1 = factories.tier("VIP1")
    response = owner_web.submit(
        "/merchant/wallet/settings",
        {"tier_needs_balance": "y", "tier_ids": [str(vip1.id)]},
        page="/merchant/wallet/plans",
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(WalletSettings, 1).tier_needs_balance
    assert [t.tier_id for t in db.session.scalars(select(BalanceTier))] == [vip1.id]
    from tests.conftest import Browser

    browser = Browser(app.test_client())
    browser.submit("/login", {"contact": "13700000055", "password": factories.PASSWORD})
    assert 'data-testid="tier-paused"' in browser.get("/wallet/").get_data(as_text=True)
    topped_up(member.id)
    assert 'data-testid="tier-paused"' not in browser.get("/wallet/").get_data(as_text=True)


def test_reloading_a_post_only_address_goes_back_to_its_page(cashier_web, member_web):
    member = factories.member(contact="13700000066")
    spent = pay(topped_up(member.id).member_id, 1000)
    response = cashier_web.get(f"/merchant/wallet/spends/{spent.id}/refund")
    assert response.status_code == 303
    assert response.location.endswith(f"/merchant/wallet/members/{member.id}")
    assert cashier_web.get("/merchant/wallet/spends/999999/refund").status_code == 404
    found = plan(50000, 5000)
    reload = member_web.get(f"/wallet/plans/{found.id}/topup")
    assert reload.status_code == 303 and reload.location.endswith("/wallet/")
    assert db.session.scalar(select(func.count()).select_from(TopUp)) == 1  # the one above


def test_counter_offers_the_matches_for_part_of_a_phone(cashier_web):
    member = factories.member(contact="13711112222", name="韩梅梅")
    topped_up(member.id)
    html = cashier_web.get("/merchant/wallet/counter?code=1371111&amount=10").get_data(as_text=True)
    matches = re.search(r'data-testid="counter-matches">(.*?)</ul>', html, re.S).group(1)
    assert member.member_no in matches and "韩梅梅" in matches
    assert f"code={member.member_no}&amp;amount=10" in matches
    assert "counter-confirm" not in html


def test_history_loads_older_movements_in_place(member_web):
    member = member_web.member
    topped_up(member.id)
    for i in range(55):
        pay(member.id, 100 + i, f"H-{i}")
    html = member_web.get("/wallet/").get_data(as_text=True)
    assert html.count('data-testid="entry-') == 50 and "H-54" in html and "H-4<" not in html
    more = re.search(r'hx-get="([^"]+)"', html[html.index("wallet-history") :]).group(1)
    fragment = member_web.get(more.replace("&amp;", "&"), headers={"HX-Request": "true"})
    rows = fragment.get_data(as_text=True)
    assert "<html" not in rows and rows.count('data-testid="entry-') == 6
    assert "H-4<" in rows and 'data-testid="entry-topup"' in rows
    assert "wallet-more" not in rows
