"""The member downloads their data from the data page: a zip of their own rows."""

import io
import json
import zipfile

from memberportal.core.clock import local_date, utcnow
from memberportal.purchases.services import record_purchase
from tests.points_helpers import ACTOR


def test_the_download_is_a_zip_of_the_members_own_data(member_web):
    m = member_web.member
    record_purchase(m.id, 4_250, "WEB-1", source="till", actor=ACTOR, now=utcnow())
    assert 'data-testid="my-data-link"' in member_web.get("/profile").get_data(as_text=True)
    response = member_web.submit("/my-data/export", page="/my-data/")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    day = local_date(utcnow()).isoformat()
    expected = f'attachment; filename="my-data-{m.member_no}-{day}.zip"'
    assert response.headers["Content-Disposition"] == expected
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        data = json.loads(archive.read("data.json"))
        purchases_csv = archive.read("purchases.csv").decode("utf-8-sig")
    assert data["profile"][0]["member_no"] == m.member_no
    assert data["profile"][0]["points_balance"] == 42
    assert [p["order_ref"] for p in data["purchases"]] == ["WEB-1"]
    assert "WEB-1" in purchases_csv and "4250" in purchases_csv


def test_the_download_needs_the_csrf_token(member_web):
    response = member_web.client.post("/my-data/export")
    assert response.status_code in (400, 422) and response.mimetype != "application/zip"
