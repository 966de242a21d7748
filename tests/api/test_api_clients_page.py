"""The owner's API client page: create (token once), rotate, revoke."""

import re

from memberportal.api.models import ApiClient
from memberportal.extensions import db
from tests import factories


def test_owner_creates_a_client_and_sees_the_token_once(owner_web, client):
    member = factories.member()
    created = owner_web.submit("/merchant/api-clients/", {"name": "Store 2"})
    assert created.status_code == 201
    page = created.get_data(as_text=True)
    token = re.search(r'data-testid="token">([^<]+)<', page).group(1)
    stored = db.session.scalars(db.select(ApiClient)).one()
    assert stored.token_hash != token and token.startswith(stored.token_prefix)
    assert created.headers["Cache-Control"] == "no-store"
    assert token not in owner_web.get("/merchant/api-clients/").get_data(as_text=True)
    ok = client.get(
        f"/api/v1/members/{member.member_no}", headers={"Authorization": f"Bearer {token}"}
    )
    assert ok.status_code == 200

    duplicate = owner_web.submit("/merchant/api-clients/", {"name": "Store 2"})
    assert duplicate.status_code == 422

    revoked = owner_web.submit(
        f"/merchant/api-clients/{stored.id}/revoke", {}, page="/merchant/api-clients/"
    )
    assert revoked.status_code == 303
    after = client.get(
        f"/api/v1/members/{member.member_no}", headers={"Authorization": f"Bearer {token}"}
    )
    assert after.status_code == 401


def test_manager_and_cashier_cannot_manage_clients(manager_web, cashier_web):
    assert manager_web.get("/merchant/api-clients/").status_code == 403
    assert cashier_web.get("/merchant/api-clients/").status_code == 403
