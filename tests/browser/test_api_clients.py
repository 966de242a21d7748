"""The owner sets up a till's API client in the browser; the till reports a purchase with
its token; the owner sees the call, revokes the client, and the token stops working at once."""

import json
import urllib.error
import urllib.request

import pytest

from tests import factories

pytestmark = pytest.mark.browser


def report(base: str, token: str, member_no: str, order_ref: str, cents: int):
    request = urllib.request.Request(  # noqa: S310 - the live test server on 127.0.0.1
        f"{base}/api/v1/purchases",
        data=json.dumps(
            {"member": member_no, "order_ref": order_ref, "amount_cents": cents}
        ).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_owner_creates_a_client_the_till_reports_the_owner_revokes_it(desk, live_server):
    member = factories.member(contact="13900000888")
    owner = factories.staff("owner")
    desk.goto("/staff/login")
    desk.fill("input[name=email]", owner.email)
    desk.fill("input[name=password]", factories.PASSWORD)
    desk.locator("form button[type=submit]").last.click()

    desk.goto("/merchant/api-clients/")
    desk.fill("input[name=name]", "Store 9 till")
    desk.locator("form button[type=submit]").last.click()
    token = desk.get_by_test_id("token").inner_text().strip()
    assert token.startswith("mpk_")

    status, body = report(live_server, token, member.member_no, "S9-0001", 25680)
    assert status == 201
    assert (body["points_earned"], body["balance"], body["tier"]) == (256, 256, "VIP2")

    desk.goto("/merchant/api-clients/")
    assert desk.get_by_test_id("new-token").count() == 0  # the token is shown only once
    row = desk.get_by_test_id("api-clients").locator("tr", has_text="Store 9 till")
    cells = row.locator("td")
    assert cells.nth(2).inner_text().strip() != "—"  # last used
    assert cells.nth(3).inner_text().strip() == "1"  # calls

    row.get_by_role("button", name="吊销").click()
    revoked = desk.get_by_test_id("api-clients").locator("tr", has_text="Store 9 till")
    revoked.locator(".badge", has_text="已吊销").wait_for()
    assert revoked.get_by_role("button").count() == 0
    status, body = report(live_server, token, member.member_no, "S9-0002", 1000)
    assert status == 401 and body["error"] == "revoked_token"
