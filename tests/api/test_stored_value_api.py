"""Stored-value payments and refunds through the POS API, as a till sees them."""

from sqlalchemy import func, select

from memberportal.api.models import ApiUsage
from memberportal.extensions import db
from memberportal.wallet.models import Spend, Wallet
from tests import factories
from tests.wallet_helpers import assert_invariants, state, topped_up

URL = "/api/v1/stored-value/payments"


def pay(client, headers, member, ref="SV-1", cents=11000, **extra):
    body = {"member": member.member_no, "order_ref": ref, "amount_cents": cents}
    return client.post(URL, json=body, headers={**headers, **extra})


def test_a_payment_takes_principal_and_bonus_in_proportion(client, headers):
    member = factories.member()
    topped_up(member.id, 50000, 5000)
    response = pay(client, headers, member)
    assert response.status_code == 201
    body = response.get_json()
    assert body["amount_cents"] == 11000
    assert (body["principal_cents"], body["bonus_cents"]) == (10000, 1000)
    assert body["balance"] == {"member_no": member.member_no, "balance_cents": 44000,
                               "principal_cents": 40000, "bonus_cents": 4000,
                               "frozen": False}  # fmt: skip
    assert assert_invariants(member.id)["principal"] == 40000


def test_retries_replay_and_pay_once(client, headers):
    member = factories.member()
    topped_up(member.id, 50000, 5000)
    first = pay(client, headers, member).get_json()
    again = pay(client, headers, member)
    assert again.status_code == 201 and again.get_json() == first
    assert again.headers["Idempotent-Replayed"] == "true"
    keyed = pay(client, headers, member, **{"Idempotency-Key": "k-1"})
    assert keyed.status_code == 201 and keyed.get_json() == first
    other = pay(client, headers, member, cents=100, **{"Idempotency-Key": "k-2"})
    assert other.status_code == 409 and other.get_json()["error"] == "idempotency_conflict"
    assert db.session.scalar(select(func.count()).select_from(Spend)) == 1
    assert state(member.id)["principal"] == 40000


def test_insufficient_balance_is_a_stable_error_and_changes_nothing(client, headers):
    member = factories.member()
    topped_up(member.id, 50000, 5000)
    response = pay(client, headers, member, cents=55001)
    assert response.status_code == 422
    assert response.get_json()["error"] == "insufficient_balance"
    assert state(member.id)["principal"] == 50000
    assert db.session.scalar(select(func.count()).select_from(Spend)) == 0
    db.session.expire_all()
    counted = db.session.execute(select(ApiUsage.calls, ApiUsage.errors)).all()
    assert [tuple(row) for row in counted] == [(1, 1)]  # one call, counted as an error


def test_unknown_member_and_bad_amounts(client, headers):
    member = factories.member()
    unknown = client.post(URL, json={"member": "0000", "order_ref": "x", "amount_cents": 1},
                          headers=headers)  # fmt: skip
    assert unknown.status_code == 404 and unknown.get_json()["error"] == "unknown_member"
    for cents in (0, -5, 1.5, "100"):
        bad = pay(client, headers, member, ref=f"b{cents}", cents=cents)
        assert bad.status_code == 422 and bad.get_json()["error"] == "invalid_amount", cents


def test_a_frozen_wallet_refuses(client, headers):
    member = factories.member()
    topped_up(member.id)
    db.session.execute(db.update(Wallet).values(open_disputes=1))
    db.session.commit()
    response = pay(client, headers, member)
    assert response.status_code == 409 and response.get_json()["error"] == "wallet_frozen"
    balance = client.get(f"/api/v1/stored-value/balances/{member.member_no}", headers=headers)
    assert balance.get_json()["frozen"] is True
    assert balance.get_json()["balance_cents"] == 55000


def test_refunds_return_the_payments_parts_once(client, headers):
    member = factories.member()
    topped_up(member.id, 50000, 5000)
    pay(client, headers, member)
    url = f"{URL}/SV-1/refunds"
    first = client.post(url, json={"amount_cents": 5500, "refund_ref": "R1"}, headers=headers)
    assert first.status_code == 201
    assert (first.get_json()["principal_cents"], first.get_json()["bonus_cents"]) == (5000, 500)
    again = client.post(url, json={"amount_cents": 5500, "refund_ref": "R1"}, headers=headers)
    assert again.get_json() == first.get_json()
    too_much = client.post(url, json={"amount_cents": 5501, "refund_ref": "R2"}, headers=headers)
    assert too_much.status_code == 422
    assert too_much.get_json()["error"] == "refund_exceeds_payment"
    unknown = client.post(f"{URL}/NOPE/refunds", json={"amount_cents": 1, "refund_ref": "R"},
                          headers=headers)  # fmt: skip
    assert unknown.status_code == 404 and unknown.get_json()["error"] == "unknown_payment"
    assert assert_invariants(member.id) == {"principal": 45000, "bonus": 4500,
                                            "ledger_principal": 45000,
                                            "ledger_bonus": 4500}  # fmt: skip


def test_another_clients_payment_cannot_be_refunded(client, headers):
    from memberportal.api import services
    from memberportal.core.actors import SystemActor

    member = factories.member()
    topped_up(member.id)
    pay(client, headers, member)
    _other, token = services.create_client("Store 2", actor=SystemActor())
    response = client.post(f"{URL}/SV-1/refunds", json={"amount_cents": 1, "refund_ref": "R"},
                           headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert response.status_code == 404
    assert state(member.id)["principal"] == 40000


def test_the_openapi_document_lists_the_stored_value_operations(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/stored-value/payments" in spec["paths"]
    post = spec["paths"]["/api/v1/stored-value/payments"]["post"]
    assert "insufficient_balance" in post["responses"]["422"]["description"]
