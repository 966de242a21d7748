"""Tills and cashiers writing off one coupon at once: the conditional UPDATE picks one."""

import threading

import pytest
import time_machine
from sqlalchemy import func, select

from memberportal.accounts.models import StaffUser
from memberportal.api import services
from memberportal.api.models import ApiUsage
from memberportal.audit.models import AuditEntry
from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.coupons import services as coupon_services
from memberportal.coupons.errors import CouponAlreadyUsed
from memberportal.extensions import db
from tests import factories
from tests.api.conftest import ORDINARY_DAY
from tests.concurrency.test_api_concurrency import fire
from tests.coupon_helpers import coupons_of, template

pytestmark = pytest.mark.concurrency


@pytest.fixture(autouse=True)
def ordinary_day():
    with time_machine.travel(ORDINARY_DAY, tick=True):
        yield


def one_coupon() -> tuple[int, str]:
    """A member holding one "8 off 79" coupon: (member id, code) as plain values."""
    member_id = factories.member().id
    template(tier_id=factories.tier("VIP1").id)
    coupon_services.issue_tier_coupons(member_id, utcnow())
    (coupon,) = coupons_of(member_id)
    return member_id, coupon.code


def bearer(name: str) -> dict:
    _client, token = services.create_client(name, actor=SystemActor())
    return {"Authorization": f"Bearer {token}"}


def write_off_audits() -> list[AuditEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(AuditEntry).where(AuditEntry.action == "coupon.written_off"))
    )


def test_ten_calls_from_two_clients_redeem_one_coupon_once(app):
    member_id, code = one_coupon()
    tills = [bearer("Store 1 till"), bearer("Online shop")]

    def send(client, i):
        response = client.post(
            f"/api/v1/coupons/{code}/redemptions",
            json={"order_ref": f"ORDER-{i}", "order_amount_cents": 8000 + i},
            headers=tills[i % 2],
        )
        return response.status_code, response.get_json()

    answers = fire(app, 10, send)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] + [409] * 9, answers
    assert all(body["error"] == "coupon_used" for status, body in answers if status == 409)
    (winner,) = [body for status, body in answers if status == 201]
    (coupon,) = coupons_of(member_id)
    assert coupon.state == "used" and coupon.used_order_ref == winner["order_ref"]
    assert coupon.used_on_cents == winner["order_amount_cents"]
    (audit,) = write_off_audits()
    assert audit.details["order_ref"] == winner["order_ref"]
    assert db.session.scalar(select(func.sum(ApiUsage.calls))) == 10


def test_a_till_and_a_cashier_at_once_one_wins(app):
    member_id, code = one_coupon()
    headers = bearer("Store 1 till")
    cashier_id = factories.staff("cashier").id
    barrier, outcomes = threading.Barrier(2), {}

    def till():
        client = app.test_client()
        barrier.wait()
        response = client.post(
            f"/api/v1/coupons/{code}/redemptions",
            json={"order_ref": "TILL-1", "order_amount_cents": 9000},
            headers=headers,
        )
        outcomes["till"] = (response.status_code, response.get_json().get("error"))

    def cashier():
        with app.app_context():
            staff = db.session.get(StaffUser, cashier_id)
            barrier.wait()
            try:
                coupon_services.write_off(code, order_cents=8500, actor=staff, now=utcnow())
                outcomes["cashier"] = "ok"
            except CouponAlreadyUsed:
                outcomes["cashier"] = "used"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=till), threading.Thread(target=cashier)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(map(str, outcomes.values())) in (
        ["(201, None)", "used"],
        ["(409, 'coupon_used')", "ok"],
    ), outcomes
    (coupon,) = coupons_of(member_id)
    (audit,) = write_off_audits()
    if outcomes["cashier"] == "ok":
        assert (coupon.used_on_cents, coupon.used_order_ref) == (8500, None)
        assert audit.actor_kind == "staff"
    else:
        assert (coupon.used_on_cents, coupon.used_order_ref) == (9000, "TILL-1")
        assert audit.actor_label == "api Store 1 till"
