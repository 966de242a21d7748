"""A manager's 9,000,000-point grant in one POST waits; another manager approves it."""

import html

from sqlalchemy import func, select

from memberportal.extensions import db
from memberportal.points.models import LedgerEntry
from tests import factories
from tests.conftest import staff_web_for

EN = {"Accept-Language": "en"}


def balance(member_id):
    db.session.expire_all()
    return db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
            LedgerEntry.member_id == member_id
        )
    )


def test_a_huge_grant_needs_a_second_person(app, manager_web):
    member = factories.member()
    page = f"/merchant/purchases/member/{member.id}"
    response = manager_web.submit(
        f"/merchant/points/member/{member.id}/adjust",
        {"points": "9000000", "reason": "goodwill"}, page=page, headers=EN,
    )  # fmt: skip
    assert response.status_code == 303
    assert balance(member.id) == 0
    own = html.unescape(manager_web.get("/merchant/points/approvals", headers=EN).get_data(True))
    assert "+9000000" in own and 'data-testid="own-request"' in own
    assert 'data-testid="approve"' not in own

    second = staff_web_for(app, "manager")
    listing = second.get("/merchant/points/approvals").get_data(as_text=True)
    request_id = listing.split('data-request-id="')[1].split('"')[0]
    done = second.submit(
        f"/merchant/points/approvals/{request_id}/approve", page="/merchant/points/approvals"
    )
    assert done.status_code == 303
    assert balance(member.id) == 9_000_000
    after = html.unescape(second.get("/merchant/points/approvals", headers=EN).get_data(True))
    assert "Nothing waits for approval." in after and "Approved" in after


def test_the_maker_posting_an_approval_directly_is_refused(manager_web):
    member = factories.member()
    manager_web.submit(
        f"/merchant/points/member/{member.id}/adjust", {"points": "5000", "reason": "x"},
        page=f"/merchant/purchases/member/{member.id}",
    )  # fmt: skip
    listing = manager_web.get("/merchant/points/approvals").get_data(as_text=True)
    request_id = listing.split('data-request-id="')[1].split('"')[0]
    manager_web.submit(
        f"/merchant/points/approvals/{request_id}/approve",
        page="/merchant/points/approvals",
        headers=EN,
    )
    page = html.unescape(manager_web.get("/merchant/points/approvals", headers=EN).get_data(True))
    assert "you made the request" in page
    assert balance(member.id) == 0


def test_cashiers_see_no_approvals(cashier_web):
    assert cashier_web.get("/merchant/points/approvals").status_code == 403
