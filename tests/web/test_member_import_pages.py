"""Member import in the merchant pages: upload, preview, confirm, report."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from memberportal.extensions import db
from memberportal.members.models import Member
from tests.conftest import csrf_from

EN = {"Accept-Language": "en"}


def test_import_preview_confirm_and_report(manager_web):
    page = manager_web.get("/merchant/bulk/members/").get_data(as_text=True)
    data = "name,contact,growth,points\n李雷,13900000071,600,20\nbad,123,0,0\n".encode()
    response = manager_web.client.post(
        "/merchant/bulk/members/",
        data={"csrf_token": csrf_from(page), "file": (io.BytesIO(data), "crm.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    show = response.location
    upload_id = int(show.rstrip("/").split("/")[-1])
    html = manager_web.get(show, headers=EN).get_data(as_text=True)
    assert re.search(r'bulk-outcome-ok">Will be applied: <strong>1<', html)
    assert "Not a valid mobile number or email." in html
    manager_web.client.post(f"/merchant/bulk/members/{upload_id}/confirm",
                            data={"csrf_token": csrf_from(html)})  # fmt: skip
    manager_web.client.post(f"/merchant/bulk/members/{upload_id}/step",
                            data={"csrf_token": csrf_from(html)})  # fmt: skip
    db.session.expire_all()
    member = db.session.scalars(select(Member).where(Member.phone == "+8613900000071")).one()
    assert (member.name, member.points_balance, member.growth_spend) == ("李雷", 20, 600)
    report = manager_web.get(f"/merchant/bulk/members/{upload_id}/report.csv", headers=EN)
    table = list(csv.reader(io.StringIO(report.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0][:6] == ["Line", "Name", "Phone or email", "Growth", "Points", "Member number"]
    assert table[1][5] == member.member_no and table[1][7] == "Applied"
    assert table[2][7] == "Skipped"


def test_a_points_upload_is_not_reachable_as_an_import(manager_web):
    page = manager_web.get("/merchant/bulk/points/").get_data(as_text=True)
    from tests import factories

    member = factories.member()
    manager_web.client.post(
        "/merchant/bulk/points/",
        data={"csrf_token": csrf_from(page),
              "file": (io.BytesIO(f"{member.member_no},5,x\n".encode()), "p.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip
    from memberportal.bulk.models import BulkUpload

    upload = db.session.scalars(select(BulkUpload)).one()
    assert manager_web.get(f"/merchant/bulk/members/{upload.id}").status_code == 404
    assert manager_web.get(f"/merchant/bulk/points/{upload.id}").status_code == 200
