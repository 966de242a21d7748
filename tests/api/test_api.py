"""The POS and shop API as a till sees it."""

from sqlalchemy import func, select

from memberportal.api import services
from memberportal.api.models import ApiUsage
from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.members.queries import card_code_for
from memberportal.purchases.models import Purchase
from tests import factories


def balance(member) -> int:
    return db.session.scalar(select(Member.points_balance).where(Member.id == member.id))


def buy(client, headers, member, ref="A-1001", cents=15000, **extra):
    body = {"member": member.member_no, "order_ref": ref, "amount_cents": cents, **extra}
    return client.post("/api/v1/purchases", json=body, headers=headers)


def test_token_missing_wrong_or_revoked_is_401(client, till):
    member = factories.member()
    url = f"/api/v1/members/{member.member_no}"
    missing = client.get(url)
    assert missing.status_code == 401 and missing.get_json()["error"] == "missing_token"
    assert "Bearer" in missing.headers["WWW-Authenticate"]
    wrong = client.get(url, headers={"Authorization": "Bearer mpk_nope_nope"})
    assert wrong.status_code == 401 and wrong.get_json()["error"] == "invalid_token"
    assert client.get(url, headers=till[1]).status_code == 200
    services.revoke_client(till[0].id, actor=SystemActor())
    revoked = client.get(url, headers=till[1])
    assert revoked.status_code == 401 and revoked.get_json()["error"] == "revoked_token"


def test_rotation_stops_the_old_token_at_once(client, till):
    member = factories.member()
    url = f"/api/v1/members/{member.member_no}"
    _client, new_token = services.rotate_token(till[0].id, actor=SystemActor())
    assert client.get(url, headers=till[1]).status_code == 401
    assert client.get(url, headers={"Authorization": f"Bearer {new_token}"}).status_code == 200


def test_member_lookup_by_number_card_code_and_phone(client, headers):
    member = factories.member(contact="13700000001", name="王小明")
    card = card_code_for(member, utcnow()).code
    for code, via in ((member.member_no, "member_no"), (card, "code"), ("13700000001", "phone")):
        body = client.get(f"/api/v1/members/{code}", headers=headers).get_json()
        assert body.pop("identified_by") == via
        assert body.pop("phone_last_digits", None) == ("0001" if via == "member_no" else None)
        assert body == {
            "member_no": member.member_no,
            "display_name": "王**",
            "tier": "VIP1",
            "tier_name": body["tier_name"],
            "points_balance": 0,
            "paid_membership": None,
            "discount": None,
        }
    unknown = client.get("/api/v1/members/0000000000", headers=headers)
    assert unknown.status_code == 404 and unknown.get_json()["error"] == "unknown_member"


def test_purchase_earns_points_growth_and_tier(client, headers):
    member = factories.member()
    response = buy(client, headers, member, cents=15000)
    assert response.status_code == 201
    body = response.get_json()
    assert body["points_earned"] == 150 and body["growth_earned"] == 150
    assert body["balance"] == 150 == balance(member)
    assert body["tier"] == "VIP2" and body["tier_change"] == {"old": "VIP1", "new": "VIP2"}


def test_retry_replays_the_first_answer_and_changes_nothing(client, headers):
    member = factories.member()
    first = buy(client, headers, member)
    again = buy(client, headers, member)
    assert again.status_code == first.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert balance(member) == 150


def test_same_order_ref_with_another_body_is_409(client, headers):
    member = factories.member()
    buy(client, headers, member, cents=15000)
    conflict = buy(client, headers, member, cents=99900)
    assert conflict.status_code == 409
    assert conflict.get_json()["error"] == "idempotency_conflict"
    assert balance(member) == 150


def test_idempotency_key_header(client, headers):
    member = factories.member()
    keyed = {**headers, "Idempotency-Key": "till-7-0001"}
    first = buy(client, keyed, member, ref="B-1")
    other_body = buy(client, keyed, member, ref="B-2")
    assert other_body.status_code == 409
    # Another key for an order already recorded replays that order's first answer.
    rekeyed = buy(client, {**headers, "Idempotency-Key": "till-7-0002"}, member, ref="B-1")
    assert rekeyed.status_code == 201 and rekeyed.get_json() == first.get_json()
    assert balance(member) == 150


def test_a_recorded_order_ref_under_a_new_key_with_another_amount_is_409(client, headers):
    member = factories.member()
    first = buy(client, {**headers, "Idempotency-Key": "till-7-0100"}, member, ref="C-1")
    assert first.status_code == 201 and first.get_json()["points_earned"] == 150
    for other_headers in ({**headers, "Idempotency-Key": "till-7-0101"}, headers):
        moved = buy(client, other_headers, member, ref="C-1", cents=4200)
        assert moved.status_code == 409, moved.get_json()
        assert moved.get_json()["error"] == "idempotency_conflict"
        assert "订单号" in moved.get_json()["message"]
    other_member = buy(client, {**headers, "Idempotency-Key": "till-7-0102"},
                       factories.member(), ref="C-1")  # fmt: skip
    assert other_member.status_code == 409
    assert balance(member) == 150
    assert db.session.scalar(select(func.count()).select_from(Purchase)) == 1


def test_validation_errors_have_stable_codes(client, headers):
    member = factories.member()
    cases = [
        ({"member": member.member_no, "order_ref": "x", "amount_cents": 0}, 422, "invalid_amount"),
        ({"member": member.member_no, "order_ref": "x", "amount_cents": -5}, 422, "invalid_amount"),
        (
            {"member": member.member_no, "order_ref": "x", "amount_cents": "12.5"},
            422,
            "invalid_amount",
        ),
        (
            {"member": member.member_no, "order_ref": "x", "amount_cents": 1.5},
            422,
            "invalid_amount",
        ),
        ({"order_ref": "x", "amount_cents": 100}, 422, "invalid_request"),
        (
            {"member": member.member_no, "order_ref": "", "amount_cents": 100},
            422,
            "invalid_request",
        ),
        ({"member": "0000000000", "order_ref": "x", "amount_cents": 100}, 404, "unknown_member"),
    ]
    for body, status, code in cases:
        response = client.post("/api/v1/purchases", json=body, headers=headers)
        assert (response.status_code, response.get_json()["error"]) == (status, code), body
    broken = client.post(
        "/api/v1/purchases",
        data="{not json",
        headers={**headers, "Content-Type": "application/json"},
    )
    assert broken.status_code == 400 and broken.get_json()["error"] == "invalid_json"
    assert balance(member) == 0


def test_partial_refunds_never_exceed_the_purchase(client, headers):
    member = factories.member()
    buy(client, headers, member, ref="R-1", cents=20000)
    url = "/api/v1/purchases/R-1/refunds"
    first = client.post(url, json={"amount_cents": 5000, "refund_ref": "r1"}, headers=headers)
    assert first.status_code == 201
    assert first.get_json()["points_taken"] == 50 and first.get_json()["balance"] == 150
    too_much = client.post(url, json={"amount_cents": 15001, "refund_ref": "r2"}, headers=headers)
    assert too_much.status_code == 422
    assert too_much.get_json()["error"] == "refund_exceeds_purchase"
    rest = client.post(url, json={"amount_cents": 15000, "refund_ref": "r3"}, headers=headers)
    assert rest.status_code == 201 and rest.get_json()["balance"] == 0
    replay = client.post(url, json={"amount_cents": 5000, "refund_ref": "r1"}, headers=headers)
    assert replay.get_json() == first.get_json()
    unknown = client.post(
        "/api/v1/purchases/NOPE/refunds",
        json={"amount_cents": 100, "refund_ref": "z"},
        headers=headers,
    )
    assert unknown.status_code == 404 and unknown.get_json()["error"] == "unknown_purchase"
    assert balance(member) == 0


def test_order_refs_are_per_client(client, headers):
    member = factories.member()
    _other, other_token = services.create_client("Online shop", actor=SystemActor())
    buy(client, headers, member, ref="SAME")
    second = buy(client, {"Authorization": f"Bearer {other_token}"}, member, ref="SAME")
    assert second.status_code == 201 and balance(member) == 300


def usage_of(client_id: int) -> list[tuple[int, int, int]]:
    db.session.expire_all()
    rows = db.session.scalars(select(ApiUsage).where(ApiUsage.client_id == client_id))
    return [(u.calls, u.errors, u.replays) for u in rows]


def test_every_call_is_counted_against_its_client(client, till, owner_web):
    member = factories.member()
    buy(client, till[1], member)
    buy(client, till[1], member)
    client.get("/api/v1/members/0000000000", headers=till[1])
    assert usage_of(till[0].id) == [(3, 1, 1)]  # calls, errors (the 404), replays
    page = owner_web.get("/merchant/api-clients/").get_data(as_text=True)
    assert "Store 1 till" in page and "<td>3</td>" in page and "3 (1)" in page


def test_a_worker_adds_its_tally_when_due_and_writes_no_row_per_call(make_app, till):
    from memberportal.api import usage

    usage.flush_usage()
    patient = make_app(API_USAGE_FLUSH_SECONDS=3600).test_client()
    member = factories.member()
    buy(patient, till[1], member, ref="T-1")
    buy(patient, till[1], member, ref="T-2")
    assert usage_of(till[0].id) == []  # counted in the worker, not yet written
    with patient.application.app_context():
        assert usage.flush_usage() == 1
    assert usage_of(till[0].id) == [(2, 0, 0)]
    with patient.application.app_context():
        assert usage.flush_usage() == 0  # nothing counted twice


def test_rate_limit_per_client_answers_429_with_retry_after(make_app, till):
    limited = make_app(API_RATE_LIMIT="3 per minute").test_client()
    member = factories.member()
    url = f"/api/v1/members/{member.member_no}"
    statuses = [limited.get(url, headers=till[1]).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    last = limited.get(url, headers=till[1])
    assert last.get_json()["error"] == "rate_limited" and int(last.headers["Retry-After"]) > 0


def test_rate_limit_counts_a_clients_calls_on_every_endpoint_together(make_app, till):
    limited = make_app(API_RATE_LIMIT="3 per minute").test_client()
    member = factories.member()
    lookup = f"/api/v1/members/{member.member_no}"
    statuses = [limited.get(lookup, headers=till[1]).status_code for _ in range(2)]
    body = {"member": member.member_no, "order_ref": "RL-1", "amount_cents": 1000}
    statuses.append(limited.post("/api/v1/purchases", headers=till[1], json=body).status_code)
    refund = {"amount_cents": 500, "refund_ref": "R1"}
    statuses.append(
        limited.post("/api/v1/purchases/RL-1/refunds", headers=till[1], json=refund).status_code
    )
    assert statuses == [200, 200, 201, 429]
    db.session.expire_all()
    assert db.session.get(Member, member.id).points_balance == 10  # the refund was refused


def test_purge_keeps_keys_for_seven_days(client, headers):
    from datetime import timedelta

    from memberportal.api.models import IdempotencyRecord
    from memberportal.core.clock import utcnow

    member = factories.member()
    buy(client, headers, member)  # answered from the purchase's own row: no stored answer
    assert db.session.scalar(select(func.count(IdempotencyRecord.id))) == 0
    refund = {"amount_cents": 100, "refund_ref": "k1"}
    client.post("/api/v1/purchases/A-1001/refunds", json=refund, headers=headers)
    assert services.purge_idempotency(now=utcnow() + timedelta(days=6)) == 0
    assert services.purge_idempotency(now=utcnow() + timedelta(days=8)) == 1
    assert db.session.scalar(select(func.count(IdempotencyRecord.id))) == 0


def test_openapi_document_and_docs_page(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert set(spec["paths"]) == {
        "/api/v1/members/{code}",
        "/api/v1/purchases",
        "/api/v1/purchases/{order_ref}/refunds",
        "/api/v1/coupons/{code}",
        "/api/v1/coupons/{code}/redemptions",
        "/api/v1/stored-value/balances/{code}",
        "/api/v1/stored-value/payments",
        "/api/v1/stored-value/payments/{order_ref}/refunds",
    }
    purchase = spec["components"]["schemas"]["PurchaseIn"]
    assert purchase["properties"]["amount_cents"]["minimum"] == 1
    assert set(purchase["required"]) == {"member", "order_ref", "amount_cents"}
    docs = client.get("/api/v1/docs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "/api/v1/purchases" in docs and "PurchaseIn" in docs


def test_unknown_api_path_is_json(client, headers):
    response = client.get("/api/v1/nothing-here", headers=headers)
    assert response.status_code == 404 and response.is_json


def test_cli_prints_a_working_token(app, client):
    member = factories.member()
    result = app.test_cli_runner().invoke(args=["create-api-client", "Back office"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    ok = client.get(
        f"/api/v1/members/{member.member_no}", headers={"Authorization": f"Bearer {token}"}
    )
    assert ok.status_code == 200


def test_control_characters_are_a_validation_error(client, headers):
    member = factories.member()
    response = buy(client, headers, member, ref="A\x00B")
    assert response.status_code == 422 and response.get_json()["error"] == "invalid_request"
    path = client.post(
        "/api/v1/purchases/A%00B/refunds",
        headers=headers,
        json={"amount_cents": 100, "refund_ref": "r"},
    )
    assert path.status_code in (400, 422) and path.is_json
    assert balance(member) == 0


def test_the_largest_amount_is_ten_million_yuan(client, headers):
    """Above it a clear 422 (it used to overflow PostgreSQL's integer column: a 500)."""
    member = factories.member()
    too_big = buy(client, headers, member, ref="BIG-1", cents=1_000_000_001)
    assert too_big.status_code == 422 and too_big.get_json()["error"] == "invalid_amount"
    largest = buy(client, headers, member, ref="BIG-2", cents=1_000_000_000)
    assert largest.status_code == 201
    assert largest.get_json()["points_earned"] == 10_000_000 == balance(member)
