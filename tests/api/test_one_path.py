"""A purchase reported through the API takes the one purchase path: nothing else writes it."""

import pytest
from sqlalchemy import func, select, text

from memberportal.audit.models import AuditEntry
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.purchases import services as purchases
from tests import factories


def test_the_fast_paths_abort_function_is_gone(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the function existed only on PostgreSQL")
    found = db.session.scalar(
        text("SELECT count(*) FROM pg_proc WHERE proname = 'take_general_path'")
    )
    assert found == 0


def test_no_module_of_the_api_writes_purchases_by_hand():
    from pathlib import Path

    api = Path(__file__).resolve().parents[2] / "memberportal" / "api"
    for module in api.glob("*.py"):
        source = module.read_text()
        assert "INSERT INTO purchases" not in source, module.name
        assert "point_entries" not in source, module.name


def row_counts() -> dict[str, int]:
    db.session.expire_all()
    with db.engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar()
            for t in db.metadata.sorted_tables
        }


def written(before: dict[str, int]) -> dict[str, int]:
    after = row_counts()
    return {name: after[name] - before[name] for name in after if after[name] != before[name]}


def test_a_reported_purchase_writes_only_the_rows_it_needs(client, headers):
    member = factories.member()
    before = row_counts()
    body = {"member": member.member_no, "order_ref": "ROWS-1", "amount_cents": 5000}
    answer = client.post("/api/v1/purchases", json=body, headers=headers)
    assert answer.status_code == 201 and answer.get_json()["tier_change"] is None
    # The purchase (which keeps its growth and its answer for replays), its earning entry
    # (which is its lot), and the first call counted for the owner's page; no audit row, no
    # call row, no growth entry, no separate stored answer.
    assert written(before) == {
        "purchases": 1, "point_entries": 1, "api_usage": 1,
    }  # fmt: skip
    before = row_counts()
    body["order_ref"] = "ROWS-2"
    body["amount_cents"] = 20000  # 250 growth in all: VIP2
    answer = client.post("/api/v1/purchases", json=body, headers=headers)
    assert answer.get_json()["tier_change"] == {"old": "VIP1", "new": "VIP2"}
    assert written(before) == {
        "purchases": 1, "point_entries": 1, "tier_changes": 1, "audit_entries": 1,
        "notification_events": 1,  # the member is told of the new tier
    }  # fmt: skip
    db.session.expire_all()
    assert db.session.get(Member, member.id).points_balance == 250


def test_a_purchase_staff_record_at_the_till_keeps_its_audit_row():
    member = factories.member()
    cashier = factories.staff(role="cashier")
    before = row_counts()
    purchases.record_purchase(member.id, 5000, "TILL-1", source="till", actor=cashier, now=utcnow())
    rows = written(before)
    assert rows["audit_entries"] == 1 and rows["purchases"] == 1
    last = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (last.action, last.actor_kind, last.subject_id) == (
        "purchase.recorded",
        "staff",
        member.id,
    )


def test_a_reported_purchase_reads_its_context_in_one_query(client, headers):
    """The token, then one read of the member, rules, ladder and paid card; the rest writes."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    member_no = factories.member().member_no
    body = {"member": member_no, "order_ref": "CTX-0", "amount_cents": 5000}
    client.post("/api/v1/purchases", json=body, headers=headers)  # the brand's values cached
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.split(None, 1)[0].upper())

    event.listen(Engine, "before_cursor_execute", count)
    try:
        answer = client.post(
            "/api/v1/purchases", json={**body, "order_ref": "CTX-1"}, headers=headers
        )
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert answer.status_code == 201 and answer.get_json()["balance"] == 100
    assert seen.count("SELECT") == 2, seen
    if db.engine.dialect.name == "postgresql":
        # The member's row, the purchase and its earning: one statement.
        assert seen.count("WITH") == 1 and "UPDATE" not in seen, seen
    else:
        assert seen.count("UPDATE") == 1, seen  # the member's row, once


def test_a_refusal_is_the_answer_to_its_key_even_once_the_member_exists(client, headers):
    keyed = {**headers, "Idempotency-Key": "till-9-0001"}
    body = {"member": "13912345678", "order_ref": "LATE-1", "amount_cents": 5000}
    refused = client.post("/api/v1/purchases", json=body, headers=keyed)
    assert refused.status_code == 404 and refused.get_json()["error"] == "unknown_member"
    member = factories.member("13912345678")
    again = client.post("/api/v1/purchases", json=body, headers=keyed)
    assert again.status_code == 404 and again.headers["Idempotent-Replayed"] == "true"
    db.session.expire_all()
    assert db.session.get(Member, member.id).points_balance == 0
    # A new key is a new request: it records the purchase.
    fresh = client.post("/api/v1/purchases", json=body, headers=headers)
    assert fresh.status_code == 201 and fresh.get_json()["balance"] == 50


def test_a_retry_is_answered_from_the_purchase_row(client, headers):
    from memberportal.purchases.models import Purchase

    member = factories.member()
    body = {"member": member.member_no, "order_ref": "ROW-1", "amount_cents": 20000}
    first = client.post("/api/v1/purchases", json=body, headers=headers)
    row = db.session.scalars(select(Purchase).where(Purchase.order_ref == "ROW-1")).one()
    assert (row.request_key, row.balance_after, row.tier_after, row.tier_move) == (
        "order:ROW-1",
        200,
        "VIP2",
        "VIP1->VIP2",
    )
    # The member spends on: the retry still answers what the first request was answered.
    client.post("/api/v1/purchases", json={**body, "order_ref": "ROW-2"}, headers=headers)
    again = client.post("/api/v1/purchases", json=body, headers=headers)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert first.get_json()["balance"] == 200 and first.get_json()["tier_change"] == {
        "old": "VIP1", "new": "VIP2"
    }  # fmt: skip
