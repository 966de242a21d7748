"""The role matrix for the office's new routes, walked with real objects (an upload that
exists), so a 404 cannot hide a missing permission check."""

import pytest

from memberportal.bulk import services as bulk
from memberportal.core.auth import PERMISSIONS, role_can
from memberportal.core.clock import utcnow
from tests import factories
from tests.conftest import csrf_from, staff_web_for

NEW_ENDPOINTS = {
    "merchant.audit.index": "audit.view",
    "merchant.audit.export": "audit.view",
    **{f"merchant.bulk.points_{n}": "points.adjust"
       for n in ("index", "show", "confirm", "cancel", "step", "report")},
    **{f"merchant.bulk.members_{n}": "members.import"
       for n in ("index", "show", "confirm", "cancel", "step", "report")},
    "merchant.points.rules": "program.edit",
    "merchant.tiers.edit": "tiers.edit",
}  # fmt: skip


def test_each_new_endpoint_declares_its_permission(app):
    for endpoint, permission in NEW_ENDPOINTS.items():
        assert app.view_functions[endpoint].required_permission == permission, endpoint
    assert PERMISSIONS["members.import"] == PERMISSIONS["points.adjust"]


@pytest.mark.parametrize("role", ["cashier", "manager", "owner"])
def test_each_role_reaches_the_bulk_pages_only_as_the_table_says(app, role):
    maker = factories.staff("manager")
    member = factories.member()
    points = bulk.upload_points("p.csv", f"{member.member_no},5,x\n".encode(), actor=maker,
                                now=utcnow())  # fmt: skip
    members = bulk.upload_members("m.csv", "李雷,13900000091\n".encode(), actor=maker,
                                  now=utcnow())  # fmt: skip
    browser = staff_web_for(app, role)
    token = csrf_from(browser.get("/merchant/").get_data(as_text=True))
    for kind, upload in (("points", points), ("members", members)):
        allowed = role_can(role, NEW_ENDPOINTS[f"merchant.bulk.{kind}_index"])
        gets = [f"/merchant/bulk/{kind}/", f"/merchant/bulk/{kind}/{upload.id}",
                f"/merchant/bulk/{kind}/{upload.id}/report.csv"]  # fmt: skip
        for url in gets:
            status = browser.get(url).status_code
            assert (status == 200) if allowed else (status == 403), (role, url, status)
        status = browser.client.post(
            f"/merchant/bulk/{kind}/{upload.id}/cancel", data={"csrf_token": token}
        ).status_code
        assert (status == 303) if allowed else (status == 403), (role, kind, status)
    for url in ("/merchant/audit/", "/merchant/audit/export.csv"):
        status = browser.get(url).status_code
        assert (status == 200) if role_can(role, "audit.view") else (status == 403), url
