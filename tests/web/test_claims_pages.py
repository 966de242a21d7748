"""Claims as the member and the staff use them: the form with a photo, the queue, the
decision, the outcome on the member's page; each sees only what they may."""

import io
from datetime import timedelta

from sqlalchemy import func, select

from memberportal.claims.models import Claim
from memberportal.core.clock import local_date, utcnow
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.purchases.models import Purchase
from tests import factories
from tests.conftest import Browser, csrf_from

EN = {"Accept-Language": "en"}


def send_claim(web, *, amount="88.50", photo=None, day=None):
    page = web.get("/claims/new", headers=EN).get_data(as_text=True)
    data = {
        "csrf_token": csrf_from(page), "store": "南京西路店", "amount": amount,
        "purchased_on": (day or local_date(utcnow()) - timedelta(days=1)).isoformat(),
        "receipt": (io.BytesIO(photo or factories.png()), "receipt.png"), "note": "",
    }  # fmt: skip
    return web.client.post("/claims/new", data=data, headers=EN, content_type="multipart/form-data")


def balance(member_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Member, member_id).points_balance


def test_member_claims_the_cashier_approves_the_member_sees_the_points(member_web, cashier_web):
    assert send_claim(member_web).status_code == 303
    mine = member_web.get("/claims/", headers=EN).get_data(as_text=True)
    assert "Waiting for the store" in mine and "南京西路店" in mine
    claim = db.session.scalars(select(Claim)).one()

    queue = cashier_web.get("/merchant/claims/", headers=EN).get_data(as_text=True)
    assert member_web.member.member_no in queue and "¥88.50" in queue
    detail = cashier_web.get(f"/merchant/claims/{claim.id}", headers=EN).get_data(as_text=True)
    assert f"/merchant/claims/{claim.id}/receipt" in detail
    with cashier_web.get(f"/merchant/claims/{claim.id}/receipt") as photo:
        assert photo.status_code == 200 and photo.data == factories.png()
        assert photo.headers["Cache-Control"] == "private, no-store"
    done = cashier_web.submit(
        f"/merchant/claims/{claim.id}/approve", page=f"/merchant/claims/{claim.id}"
    )
    assert done.status_code == 303
    assert balance(member_web.member.id) == 88

    mine = member_web.get("/claims/", headers=EN).get_data(as_text=True)
    assert "Approved" in mine and "88 points earned" in mine
    again = cashier_web.submit(
        f"/merchant/claims/{claim.id}/approve", page=f"/merchant/claims/{claim.id}", headers=EN
    )
    assert again.status_code == 409 and "already been decided" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Purchase.id))) == 1
    assert balance(member_web.member.id) == 88


def test_a_rejection_without_reason_is_refused_then_the_member_reads_the_reason(
    member_web, manager_web
):
    send_claim(member_web)
    claim_id = db.session.scalar(select(Claim.id))
    page = f"/merchant/claims/{claim_id}"
    empty = manager_web.submit(f"{page}/reject", {"reason": " "}, page=page, headers=EN)
    assert empty.status_code == 422
    assert "Give the member a reason" in empty.get_data(as_text=True)
    assert db.session.get(Claim, claim_id).status == "pending"
    manager_web.submit(f"{page}/reject", {"reason": "Not our brand's receipt"}, page=page)
    mine = member_web.get("/claims/", headers=EN).get_data(as_text=True)
    assert "Rejected" in mine and "Not our brand&#39;s receipt" in mine
    assert balance(member_web.member.id) == 0


def test_bad_input_gets_a_message_on_its_field_and_writes_nothing(member_web):
    refused = send_claim(member_web, amount="12.345")
    assert refused.status_code == 422 and "at most two decimals" in refused.get_data(as_text=True)
    not_a_photo = send_claim(member_web, photo=b"%PDF-1.4 not an image")
    assert not_a_photo.status_code == 422
    assert "Upload a PNG, JPEG, GIF or WebP" in not_a_photo.get_data(as_text=True)
    future = send_claim(member_web, day=local_date(utcnow()) + timedelta(days=1))
    assert "cannot be in the future" in future.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Claim.id))) == 0


def test_another_member_sees_neither_the_claim_nor_its_receipt(app, member_web):
    send_claim(member_web)
    claim_id = db.session.scalar(select(Claim.id))
    factories.member(contact="13900000002")
    other = Browser(app.test_client())
    other.submit("/login", {"contact": "13900000002", "password": factories.PASSWORD})
    assert other.get(f"/claims/{claim_id}/receipt").status_code == 404
    assert "南京西路店" not in other.get("/claims/").get_data(as_text=True)
    with member_web.get(f"/claims/{claim_id}/receipt") as own:
        assert own.status_code == 200
