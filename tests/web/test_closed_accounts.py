"""Closing an account from the member's pages: the session ends, the account cannot sign in,
the phone may join again, and no staff page shows the person any more."""

import re
from datetime import timedelta

from sqlalchemy import select

from memberportal.claims import services as claims
from memberportal.claims.models import Claim
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.purchases.services import record_purchase
from memberportal.referrals.services import record_referral
from memberportal.reviews.services import review_purchase
from memberportal.risk.services import scan
from tests import factories
from tests.conftest import Browser
from tests.points_helpers import ACTOR

EN = {"Accept-Language": "en"}
NAME, PHONE = "欧阳娜娜", "13866660001"
# Every way a page could print the phone: stored, as typed, as displayed.
TRACES = (NAME, "+8613866660001", PHONE, "138 6666 0001", "138-6666-0001")


def signed_in(app, contact=PHONE) -> Browser:
    browser = Browser(app.test_client())
    browser.submit("/login", {"contact": contact, "password": factories.PASSWORD})
    return browser


def someone_with_history() -> tuple[Member, dict]:
    now = utcnow()
    m = factories.member(contact=PHONE, name=NAME)
    big = record_purchase(m.id, 600_000, "BIG-1", source="till", actor=ACTOR, now=now)
    review_purchase(m.id, big.purchase_id, 4, "Lovely cups and good coffee", actor=m, now=now)
    record_referral(m.member_no, factories.member().id, actor=ACTOR, now=now)
    claim = claims.submit_claim(
        m.id, store="静安店", purchased_on=now.date() - timedelta(days=1), amount_cents=990,
        receipt=factories.png(), actor=m, now=now,
    )  # fmt: skip
    scan(now=now)  # a risk flag for the big purchase
    return m, {"member_id": m.id, "purchase_id": big.purchase_id, "claim_id": claim.id}


def test_closing_from_the_data_page_ends_everything(app, owner_web):
    m, ids = someone_with_history()
    # Before: staff pages do show the person (so the walk below can fail).
    assert NAME in owner_web.get(f"/merchant/members/{m.id}").get_data(as_text=True)
    assert NAME in owner_web.get("/merchant/referrals/").get_data(as_text=True)
    assert NAME in owner_web.get(f"/merchant/claims/{ids['claim_id']}").get_data(as_text=True)
    member = signed_in(app)
    other_session = signed_in(app)
    page = member.get("/my-data/", headers=EN).get_data(as_text=True)
    assert "Close my account" in page and "Download my data" in page

    refused = member.submit("/my-data/close", {"password": factories.PASSWORD}, page="/my-data/",
                            headers=EN)  # fmt: skip
    assert refused.status_code == 422 and "Tick the box" in refused.get_data(as_text=True)
    wrong = member.submit("/my-data/close", {"password": "nope-nope-1", "confirm": "y"},
                          page="/my-data/", headers=EN)  # fmt: skip
    assert wrong.status_code == 422 and "password is not right" in wrong.get_data(as_text=True)
    assert db.session.get(Member, m.id).closed_at is None

    # A failed sign-in before the closure keeps what was typed (the phone) in the trail.
    mistyped = Browser(app.test_client()).submit(
        "/login", {"contact": PHONE, "password": "wrong-wrong-1"}, headers=EN
    )
    assert mistyped.status_code == 422
    assert PHONE in owner_web.get("/merchant/audit/", headers=EN).get_data(as_text=True)

    done = member.submit("/my-data/close", {"password": factories.PASSWORD, "confirm": "y"},
                         page="/my-data/")  # fmt: skip
    assert done.status_code == 303
    # Both sessions are over, and the old credentials sign nobody in.
    for browser in (member, other_session):
        assert browser.get("/card").status_code == 302

    # No staff page shows the person: every merchant page, with this member's ids filled in.
    seen = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("merchant.") or "GET" not in rule.methods:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", str(ids.get(arg, 1)), url)
        body = owner_web.get(url, headers=EN).get_data(as_text=True)
        seen.append(url)
        for trace in TRACES:
            assert trace not in body, (url, trace)
    assert f"/merchant/members/{m.id}" in seen
    assert owner_web.get(f"/merchant/members/{m.id}").status_code == 404
    for query in (PHONE, m.member_no, NAME):
        found = owner_web.get("/merchant/members/", query_string={"q": query}, headers=EN)
        assert f"/merchant/members/{m.id}" not in found.get_data(as_text=True), query
    assert owner_web.get(f"/merchant/claims/{ids['claim_id']}").status_code == 404
    assert db.session.scalar(select(Claim.receipt).where(Claim.member_id == m.id)) is None

    # The old credentials sign nobody in (a new attempt is a new row of what was typed).
    again = Browser(app.test_client()).submit(
        "/login", {"contact": PHONE, "password": factories.PASSWORD}, headers=EN
    )
    assert again.status_code == 422 and "do not match an account" in again.get_data(as_text=True)

    # Staff see the closure in the audit trail.
    audit = owner_web.get("/merchant/audit/", headers=EN).get_data(as_text=True)
    assert "Account closed by the member" in audit and m.member_no in audit

    # The phone number is free: a new member joins with it.
    fresh = Browser(app.test_client())
    joined = fresh.submit(
        "/register",
        {"name": "新人", "contact": PHONE, "password": "Correct-Horse-42",
         "confirm": "Correct-Horse-42", "accept": "y"},
    )  # fmt: skip
    assert joined.status_code == 303
    assert 'data-testid="points-balance">0<' in fresh.get("/card").get_data(as_text=True)
