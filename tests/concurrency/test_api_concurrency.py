"""Many tills retrying at once: one effect, identical answers."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from sqlalchemy import func, select

from memberportal.api import services
from memberportal.core.actors import SystemActor
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.queries import ledger_mismatches
from memberportal.purchases.models import Purchase
from tests import factories
from tests.api.conftest import ORDINARY_DAY

pytestmark = pytest.mark.concurrency


def fire(app, n, request):
    barrier = threading.Barrier(n)

    def one(i):
        client = app.test_client()
        barrier.wait()
        return request(client, i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


@pytest.fixture(autouse=True)
def ordinary_day():
    with time_machine.travel(ORDINARY_DAY, tick=True):
        yield


def test_twenty_threads_send_the_same_purchase(app):
    member = factories.member()
    _client, token = services.create_client("Till", actor=SystemActor())
    headers = {"Authorization": f"Bearer {token}"}
    body = {"member": member.member_no, "order_ref": "RACE-1", "amount_cents": 12345}

    def send(client, _i):
        response = client.post("/api/v1/purchases", json=body, headers=headers)
        return response.status_code, response.get_json()

    answers = fire(app, 20, send)
    assert {status for status, _ in answers} == {201}
    assert all(body == answers[0][1] for _, body in answers)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Purchase.id))) == 1
    assert db.session.scalar(select(Member.points_balance).where(Member.id == member.id)) == 123


def test_two_refunds_racing_never_exceed_the_purchase(app):
    member = factories.member()
    _client, token = services.create_client("Till", actor=SystemActor())
    headers = {"Authorization": f"Bearer {token}"}
    app.test_client().post(
        "/api/v1/purchases",
        headers=headers,
        json={"member": member.member_no, "order_ref": "R", "amount_cents": 10000},
    )

    def refund(client, i):
        response = client.post(
            "/api/v1/purchases/R/refunds",
            headers=headers,
            json={"amount_cents": 6000, "refund_ref": f"r{i}"},
        )
        return response.status_code

    statuses = sorted(fire(app, 6, refund))
    assert statuses == [201] + [422] * 5
    db.session.expire_all()
    purchase = db.session.scalars(select(Purchase)).one()
    assert purchase.refunded_cents == 6000
    assert db.session.scalar(select(Member.points_balance).where(Member.id == member.id)) == 40


def test_one_member_buying_at_many_tills_at_once(app):
    """Different orders for one member race: each is credited once, whichever path it takes
    (on PostgreSQL the fast path's compare-and-set loses to a concurrent change and falls
    back), and the balance, growth and tier add up."""
    member = factories.member()
    member_id, member_no = member.id, member.member_no
    _client, token = services.create_client("Till", actor=SystemActor())
    headers = {"Authorization": f"Bearer {token}"}

    def send(client, i):
        body = {"member": member_no, "order_ref": f"MANY-{i}", "amount_cents": 10000}
        response = client.post("/api/v1/purchases", json=body, headers=headers)
        return response.status_code, response.get_json()

    answers = fire(app, 12, send)
    assert [status for status, _ in answers] == [201] * 12
    # Each answer's balance is the one before it plus what it earned: no update was lost.
    # (What each earned depends on the tier it saw, so the figures vary with the interleaving.)
    chain = sorted((body["balance"], body["points_earned"]) for _, body in answers)
    befores = [balance - points for balance, points in chain]
    assert befores == [0] + [balance for balance, _ in chain[:-1]]
    assert all(points >= 100 for _, points in chain)
    moves = sorted((b["tier_change"]["old"], b["tier_change"]["new"]) for _, b in answers
                   if b["tier_change"])  # fmt: skip
    assert moves == [("VIP1", "VIP2"), ("VIP2", "VIP3"), ("VIP3", "VIP4")]
    db.session.expire_all()
    row = db.session.execute(
        select(Member.points_balance, Member.growth_spend).where(Member.id == member_id)
    ).one()
    assert tuple(row) == (chain[-1][0], 1200)
    assert db.session.scalar(select(func.count(Purchase.id))) == 12
    assert ledger_mismatches() == []
