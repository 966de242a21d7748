"""Bulk points in the merchant pages: upload, preview, confirm, progress, report."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from memberportal.extensions import db
from memberportal.members.models import Member
from tests import factories
from tests.conftest import csrf_from

EN = {"Accept-Language": "en"}


def upload(browser, data: bytes, name="gift.csv", **headers):
    page = browser.get("/merchant/bulk/points/").get_data(as_text=True)
    return browser.client.post(
        "/merchant/bulk/points/",
        data={"csrf_token": csrf_from(page), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=headers,
    )


def balance(member_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(Member.points_balance).where(Member.id == member_id))


def test_upload_preview_confirm_progress_and_report(manager_web):
    li, han = factories.member(), factories.member()
    data = (f"member,points,reason\n{li.member_no},120,opening gift\n"
            f"{han.member_no},-5,take\n88888888,5,nobody\n").encode()  # fmt: skip
    response = upload(manager_web, data)
    assert response.status_code == 303
    show = response.location
    html = manager_web.get(show, headers=EN).get_data(as_text=True)
    assert re.search(r'bulk-outcome-ok">Will be applied: <strong>1<', html)
    assert re.search(r'bulk-outcome-negative">[^<]*: <strong>1<', html)
    assert re.search(r'bulk-outcome-unknown_member">[^<]*: <strong>1<', html)
    assert balance(li.id) == 0

    upload_id = int(show.rstrip("/").split("/")[-1])
    token = csrf_from(html)
    confirmed = manager_web.client.post(f"/merchant/bulk/points/{upload_id}/confirm",
                                        data={"csrf_token": token})  # fmt: skip
    assert confirmed.status_code == 303
    running = manager_web.get(show, headers=EN).get_data(as_text=True)
    assert f'hx-post="/merchant/bulk/points/{upload_id}/step"' in running
    assert "0 of 3 rows" in running
    step = manager_web.client.post(
        f"/merchant/bulk/points/{upload_id}/step", data={"csrf_token": token},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    # All three rows fit in one step: the run is done and htmx reloads the page.
    assert step.status_code == 204 and step.headers["HX-Redirect"].endswith(show)
    assert balance(li.id) == 120
    done = manager_web.get(show, headers=EN).get_data(as_text=True)
    assert "3 of 3 rows" in done and "hx-post" not in done.split('id="bulk-progress"')[1][:200]
    assert re.search(r'bulk-result-applied">Applied: 1<', done)
    assert re.search(r'bulk-result-skipped">Skipped: 2<', done)

    report = manager_web.get(f"/merchant/bulk/points/{upload_id}/report.csv", headers=EN)
    table = list(csv.reader(io.StringIO(report.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0][:4] == ["Line", "Member (as typed)", "Member number", "Points"]
    assert [(r[0], r[6]) for r in table[1:]] == [("2", "Applied"), ("3", "Skipped"),
                                                 ("4", "Skipped")]  # fmt: skip
    assert table[3][5] == "Unknown member: skipped"


def test_the_same_file_twice_is_refused_with_a_message(manager_web):
    member = factories.member()
    data = f"{member.member_no},10,gift\n".encode()
    assert upload(manager_web, data).status_code == 303
    again = upload(manager_web, data, name="copy.csv", **EN)
    assert again.status_code == 422
    assert "the same file twice is refused" in again.get_data(as_text=True)


def test_a_step_run_by_plain_form_continues_without_javascript(manager_web):
    member = factories.member()
    lines = "".join(f"{member.member_no},1,gift {n}\n" for n in range(60))
    show = upload(manager_web, lines.encode()).location
    upload_id = int(show.rstrip("/").split("/")[-1])
    token = csrf_from(manager_web.get(show).get_data(as_text=True))
    manager_web.client.post(f"/merchant/bulk/points/{upload_id}/confirm",
                            data={"csrf_token": token})  # fmt: skip
    first = manager_web.client.post(f"/merchant/bulk/points/{upload_id}/step",
                                    data={"csrf_token": token})  # fmt: skip
    assert first.status_code == 303
    assert balance(member.id) == 50  # one step: 50 rows
    page = manager_web.get(show, headers=EN).get_data(as_text=True)
    assert "50 of 60 rows" in page and ">Continue<" in page
    manager_web.client.post(f"/merchant/bulk/points/{upload_id}/step", data={"csrf_token": token})
    assert balance(member.id) == 60


def test_cashiers_cannot_upload(cashier_web):
    assert cashier_web.get("/merchant/bulk/points/").status_code == 403
