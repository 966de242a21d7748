"""Points and purchases pages, as the member, the cashier, the manager and the owner see them."""

import time_machine

from memberportal.audit.models import AuditEntry
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.services import program_rules
from tests import factories
from tests.points_helpers import earn, spend, state


def record(web, member_id, amount, ref, note=""):
    return web.submit(
        f"/merchant/purchases/member/{member_id}",
        {"amount": amount, "order_ref": ref, "note": note},
    )


def test_cashier_records_a_purchase_and_sees_points(cashier_web):
    m = factories.member()
    detail = cashier_web.get(f"/merchant/members/{m.id}").get_data(as_text=True)
    assert f"/merchant/purchases/member/{m.id}" in detail
    response = record(cashier_web, m.id, "123.45", "T-100")
    assert response.status_code == 303
    page = cashier_web.get(response.location).get_data(as_text=True)
    assert "123" in page and "T-100" in page
    assert state(m.id)["balance"] == 123
    again = record(cashier_web, m.id, "123.45", "T-100")
    assert again.status_code == 422
    assert "已经记录过" in again.get_data(as_text=True) or "already" in again.get_data(as_text=True)
    assert state(m.id)["balance"] == 123


def test_bad_amounts_change_nothing(cashier_web):
    m = factories.member()
    for amount in ("0", "-5", "1.234", "abc", "10000000.01", "999999999"):
        response = record(cashier_web, m.id, amount, f"X-{amount}")
        assert response.status_code == 422, amount
        assert 'role="alert"' in response.get_data(as_text=True)
    too_much = record(cashier_web, m.id, "20000000", "X-big").get_data(as_text=True)
    assert "10,000,000" in too_much
    assert cashier_web.get("/merchant/purchases/member/999999").status_code == 404
    assert state(m.id)["balance"] == 0


def refund_key(web, page) -> str:
    import re

    html = web.get(page).get_data(as_text=True)
    return re.search(r'name="request_key" value="([0-9a-f]{32})"', html).group(1)


def refund(web, url, page, amount, key, reason="wrong size", confirmed=True):
    form = {"amount": amount, "request_key": key, "reason": reason}
    if confirmed:
        form["confirmed"] = "yes"
    return web.submit(url, form, page=page)


def test_partial_and_full_refund_and_too_much(cashier_web):
    m = factories.member()
    record(cashier_web, m.id, "100", "R-1")
    from memberportal.purchases.models import Purchase, Refund

    pid = db.session.scalar(db.select(Purchase.id))
    url = f"/merchant/purchases/{pid}/refund"
    page = f"/merchant/purchases/member/{m.id}"
    key = refund_key(cashier_web, page)
    assert refund(cashier_web, url, page, "40", key).status_code == 303
    assert state(m.id)["balance"] == 60
    # The same form sent again (a double click, a reload) records nothing more.
    again = refund(cashier_web, url, page, "40", key)
    assert again.status_code == 303 and state(m.id)["balance"] == 60
    assert db.session.scalar(db.select(db.func.count(Refund.id))) == 1
    assert db.session.scalar(db.select(Refund.reason)) == "wrong size"
    too_much = refund(cashier_web, url, page, "60.01", refund_key(cashier_web, page))
    body = too_much.get_data(as_text=True)
    assert too_much.status_code == 422 and 'data-testid="refund-error"' in body and "R-1" in body
    # An empty amount is a question, not "refund everything"; a refund needs a reason.
    empty = refund(cashier_web, url, page, "", refund_key(cashier_web, page))
    assert empty.status_code == 422 and state(m.id)["balance"] == 60
    no_reason = refund(cashier_web, url, page, "60", refund_key(cashier_web, page), reason=" ")
    assert no_reason.status_code == 422 and state(m.id)["balance"] == 60
    rest = refund(cashier_web, url, page, "60", refund_key(cashier_web, page))
    assert rest.status_code == 303 and state(m.id)["balance"] == 0


def test_a_refund_asks_to_confirm_what_it_takes_back(cashier_web):
    m = factories.member()
    record(cashier_web, m.id, "100", "R-2")
    from memberportal.purchases.models import Purchase, Refund

    pid = db.session.scalar(db.select(Purchase.id))
    url = f"/merchant/purchases/{pid}/refund"
    page = f"/merchant/purchases/member/{m.id}"
    key = refund_key(cashier_web, page)
    asked = refund(cashier_web, url, page, "25", key, reason="damaged box", confirmed=False)
    body = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'data-testid="refund-confirm"' in body
    assert "25" in body and "damaged box" in body and "R-2" in body
    assert db.session.scalar(db.select(db.func.count(Refund.id))) == 0
    assert state(m.id)["balance"] == 100
    import re

    step = body.split('data-testid="refund-confirm"')[1].split("</form>")[0]
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', step))
    assert hidden["confirmed"] == "yes" and hidden["request_key"] == key
    done = cashier_web.submit(url, {k: v for k, v in hidden.items() if k != "csrf_token"},
                              page=page)  # fmt: skip
    assert done.status_code == 303 and state(m.id)["balance"] == 75
    audit = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "purchase.refunded"))
    assert audit.reason == "damaged box" and audit.details["points"] == 25


def test_manager_adjusts_with_a_reason_and_never_below_zero(manager_web, cashier_web):
    m = factories.member()
    url = f"/merchant/points/member/{m.id}/adjust"
    page = f"/merchant/purchases/member/{m.id}"
    assert manager_web.submit(url, {"points": "50", "reason": ""}, page=page).status_code == 422
    assert (
        manager_web.submit(url, {"points": "50", "reason": "goodwill"}, page=page).status_code
        == 303
    )
    refused = manager_web.submit(url, {"points": "-60", "reason": "typo"}, page=page)
    assert refused.status_code == 422
    assert state(m.id)["balance"] == 50
    assert 'data-testid="adjust-form"' not in cashier_web.get(page).get_data(as_text=True)
    audit = manager_web.get("/merchant/audit/").get_data(as_text=True)
    assert "points.adjusted" in audit and "goodwill" in audit


def test_owner_edits_program_rules(owner_web, cashier_web):
    form = {
        "rate_pct": "200", "expiry_policy": "yearly", "expiry_months": "12",
        "clearing_month": "12", "clearing_day": "31", "clearing_years_after": "1",
        "interaction_cap_pct": "40", "qualification_months": "12", "member_day": "",
        "member_day_multiplier_pct": "200", "sign_in_growth": "7", "profile_growth": "30",
        "review_growth": "10", "referral_points": "100", "share_growth": "10",
        "approval_threshold_points": "2500", "sign_in_points": "3", "streak_bonus_days": "7",
        "streak_bonus_points": "20", "streak_bonus_growth": "10",
        "referral_welcome_points": "50", "referral_monthly_cap": "5",
        "referral_hold_until_purchase": "y",
        "member_day_weekday": "",
        "member_day_discount_bps": "0", "birthday_multiplier_pct": "100",
    }  # fmt: skip
    assert owner_web.submit("/merchant/points/rules", form).status_code == 303
    saved = program_rules()
    assert (saved.sign_in_growth, saved.profile_growth) == (7, 30)
    assert saved.approval_threshold_points == 2500
    assert (saved.sign_in_points, saved.referral_monthly_cap) == (3, 5)
    assert saved.referral_hold_until_purchase
    assert (
        owner_web.submit("/merchant/points/rules", {**form, "sign_in_growth": "-1"}).status_code
        == 422
    )
    assert owner_web.submit("/merchant/points/rules", {**form, "rate_pct": "0"}).status_code == 422
    assert cashier_web.get("/merchant/points/rules").status_code == 403
    m = factories.member()
    record(cashier_web, m.id, "10", "RATE-1")
    assert state(m.id)["balance"] == 20


def test_expiring_soon_lists_only_the_warning_window(member_web):
    from datetime import timedelta

    from tests.points_helpers import earn as earn_lot

    m = member_web.member
    now = utcnow()
    earn_lot(m.id, 40, now=now, days=10)
    earn_lot(m.id, 70, now=now, days=200)
    page = member_web.get("/points", headers={"Accept-Language": "en"}).get_data(as_text=True)
    soon = page.split('data-testid="expiring-soon"')[1].split("</section>")[0]
    later = page.split('data-testid="expiries"')[1].split("</ul>")[0]
    assert "40 points expire on" in soon and "70 points" not in soon
    assert "70 points expire on" in later and "40 points" not in later
    day = (now + timedelta(days=10)).date().isoformat()
    assert day in soon or (now + timedelta(days=11)).date().isoformat() in soon


def test_member_sees_balance_expiries_and_explained_history(member_web):
    m = member_web.member
    with time_machine.travel(utcnow().replace(month=3, day=10), tick=False):
        from memberportal.purchases.services import record_purchase
        from tests.points_helpers import ACTOR

        now = utcnow()
        record_purchase(m.id, 12000, "M-1", source="till", actor=ACTOR, now=now)
        spend(m.id, 20, now=now)
    year = now.year + 1
    page = member_web.get("/points").get_data(as_text=True)
    assert 'data-testid="points-balance">100<' in page
    assert f"100 积分将于 {year}-03-31 过期" in page or f"100 points expire on {year}-03-31" in page
    assert "M-1" in page and "× 1" in page and f"{year}-03-31" in page
    spent_only = member_web.get("/points?type=spend").get_data(as_text=True)
    assert "M-1" not in spent_only and "-20" in spent_only
    card = member_web.get("/card").get_data(as_text=True)
    assert 'data-testid="interactions-allowed"' in card and "60" in card


def test_history_loads_more_with_htmx(member_web):
    m = member_web.member
    for _ in range(25):
        earn(m.id, 1)
    page = member_web.get("/points").get_data(as_text=True)
    assert page.count('data-testid="history-row"') == 20
    last = db.session.scalars(
        db.select(db.text("id")).select_from(db.text("point_entries")).order_by(db.text("id"))
    ).all()[5]
    more = member_web.get(f"/points?before={last}", headers={"HX-Request": "true"})
    body = more.get_data(as_text=True)
    assert "<html" not in body and body.count('data-testid="history-row"') == 5


def test_a_member_sees_only_their_own_points(member_web):
    other = factories.member()
    earn(other.id, 777, days=40)
    page = member_web.get("/points").get_data(as_text=True)
    assert "777" not in page
    assert db.session.get(Member, other.id).points_balance == 777


def test_an_earning_row_explains_every_point_including_expiry(member_web):
    from datetime import timedelta

    from memberportal.points import ledger
    from tests.points_helpers import T0

    m = member_web.member
    earn(m.id, 40, days=30)
    spend(m.id, 10, now=T0 + timedelta(days=1))
    ledger.expire_due(T0 + timedelta(days=31))
    member_web.client.set_cookie("lang", "en")
    page = member_web.get("/points").get_data(as_text=True)
    earning = page[page.index("history-row kind-earn") :]
    earning = earning[: earning.index("</details>")]
    assert "0 still open" in earning and "Used by:" in earning
    assert "<li>Spent 10 · " in earning and "<li>Expired 30 · " in earning
    assert earning.index("Spent 10") < earning.index("Expired 30")
    assert state(m.id)["balance"] == 0
