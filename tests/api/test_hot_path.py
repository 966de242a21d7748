"""The fast path for API purchases (PostgreSQL) against the general path it stands in for.

The same purchase sent once through each path, for two members in the same state, must leave
the same rows: purchase, lot, ledger entry, growth entry, tier change, audit, request key and
call log, and the same member counters. Every way out of the fast path must leave nothing of it.
"""

import pytest
from sqlalchemy import select, text, update

from memberportal.api import hot_path
from memberportal.api import services as api_services
from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points import ledger
from memberportal.points.queries import ledger_mismatches
from memberportal.points.services import update_program_rules
from tests import factories


@pytest.fixture(autouse=True)
def postgresql_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the fast path is PostgreSQL's (SQLite always takes the general path)")


@pytest.fixture
def fast_path_only(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the general path was taken")

    monkeypatch.setattr(api_services, "answer_once", fail)


def buy(client, headers, member, ref, cents, **extra):
    body = {"member": member.member_no, "order_ref": ref, "amount_cents": cents, **extra}
    return client.post("/api/v1/purchases", json=body, headers=headers)


def rows(member_id: int) -> dict:
    """Everything a purchase writes for one member, without ids, numbers and references."""

    def q(sql: str) -> list[tuple]:
        return [tuple(r) for r in db.session.execute(text(sql), {"m": member_id})]

    purchase_ids = [r[0] for r in q("SELECT id FROM purchases WHERE member_id = :m ORDER BY id")]

    def anonymous(value):
        if isinstance(value, dict):
            drop = {"purchase_id", "order_ref", "member_no"}
            return {k: anonymous(v) for k, v in value.items() if k not in drop}
        return value

    db.session.commit()  # a fresh snapshot
    return {
        "member": q(
            "SELECT m.points_balance, m.points_debt, m.growth, m.growth_spend, "
            "m.growth_interaction, t.code, m.tier_since IS NOT NULL "
            "FROM members m JOIN tiers t ON t.id = m.tier_id WHERE m.id = :m"
        ),
        "purchases": q(
            "SELECT amount_cents, refunded_cents, rate_pct, multiplier_pct, points_earned, "
            "points_refunded, growth_earned, growth_refunded, earn_entry_id IS NOT NULL, note, "
            "store, actor_label, source FROM purchases WHERE member_id = :m ORDER BY id"
        ),
        "lots": q(
            "SELECT l.amount, l.remaining, l.expires_at, l.earned_at = p.at, l.expired_points "
            "FROM point_lots l JOIN point_entries e ON e.lot_id = l.id "
            "JOIN purchases p ON p.earn_entry_id = e.id WHERE l.member_id = :m ORDER BY l.id"
        ),
        "entries": q(
            "SELECT e.entry_type, e.kind, e.points, e.debt_points, e.lot_id IS NOT NULL, "
            "e.source_type, e.source_id = p.id, e.expires_at, e.actor_kind, e.actor_id, "
            "e.actor_label, e.note, e.at = p.at FROM point_entries e "
            "JOIN purchases p ON p.earn_entry_id = e.id WHERE e.member_id = :m ORDER BY e.id"
        ),
        "growth": q(
            "SELECT kind, cause, amount, source_type, source_id IN (SELECT id FROM purchases) "
            "FROM growth_entries WHERE member_id = :m ORDER BY id"
        ),
        "tier_changes": q(
            "SELECT f.code, t.code, c.cause, c.growth_spend, c.growth_interaction, "
            "c.actor_label FROM tier_changes c JOIN tiers f ON f.id = c.from_tier_id "
            "JOIN tiers t ON t.id = c.to_tier_id WHERE c.member_id = :m ORDER BY c.id"
        ),
        "audit": sorted(
            (action, kind, label, reason, repr(anonymous(details)))
            for action, kind, label, reason, details in q(
                "SELECT action, actor_kind, actor_label, reason, details FROM audit_entries "
                "WHERE subject_type = 'member' AND subject_id = :m "
                "AND action <> 'member.registered'"
            )
        ),
        "answers": [
            (status, repr(anonymous(body)), resource.split(":")[0])
            for status, body, resource in q(
                "SELECT status, body, resource FROM api_idempotency WHERE resource IN "
                "(SELECT 'purchase:' || order_ref FROM purchases WHERE member_id = :m) ORDER BY id"
            )
        ],
        "purchase_count": len(purchase_ids),
    }


def calls() -> list[tuple]:
    return [
        tuple(r) for r in db.session.execute(text("SELECT method, path, status FROM api_calls"))
    ]


SCENARIOS = {
    "a tier reached": dict(cents=15000),
    "no tier reached": dict(cents=3050, note=" at the counter ", store="Store 1"),
    "less than a yuan": dict(cents=99),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_both_paths_leave_the_same_rows(client, headers, monkeypatch, scenario):
    fast_member, general_member = factories.member(), factories.member()
    fast = buy(client, headers, fast_member, "F-1", **SCENARIOS[scenario])
    with monkeypatch.context() as patch:
        patch.setattr(hot_path, "record_purchase", _refuse)
        general = buy(client, headers, general_member, "G-1", **SCENARIOS[scenario])
    assert fast.status_code == general.status_code == 201
    fast_body, general_body = fast.get_json(), general.get_json()
    for body in (fast_body, general_body):
        body.pop("purchase_id"), body.pop("order_ref"), body.pop("member_no")
    assert fast_body == general_body
    assert rows(fast_member.id) == rows(general_member.id)
    assert calls() == [("POST", "/api/v1/purchases", 201)] * 2
    assert ledger_mismatches() == []


def _refuse(*args, **kwargs):
    raise hot_path.TakeGeneralPath()


def test_member_day_and_a_second_purchase_match_too(client, headers, monkeypatch):
    update_program_rules(actor=SystemActor(), now=utcnow(), member_day=utcnow().day)
    fast_member, general_member = factories.member(), factories.member()
    for i, cents in enumerate((12000, 8000)):
        assert buy(client, headers, fast_member, f"F-{i}", cents).status_code == 201
        with monkeypatch.context() as patch:
            patch.setattr(hot_path, "record_purchase", _refuse)
            assert buy(client, headers, general_member, f"G-{i}", cents).status_code == 201
    fast_rows = rows(fast_member.id)
    assert fast_rows == rows(general_member.id)
    assert [p[3] for p in fast_rows["purchases"]] == [200, 200]  # the member day's 2x
    assert fast_rows["member"][0][0] == 400 and fast_rows["member"][0][5] == "VIP2"


def test_the_common_case_takes_the_fast_path(client, headers, fast_path_only):
    member = factories.member()
    response = buy(client, headers, member, "F-1", 15000)
    assert response.status_code == 201 and response.get_json()["balance"] == 150


def test_replays_conflicts_and_unknown_members_take_the_general_path(client, headers):
    member = factories.member()
    first = buy(client, headers, member, "R-1", 15000)
    again = buy(client, headers, member, "R-1", 15000)
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    other_body = buy(client, headers, member, "R-1", 99900)
    assert other_body.status_code == 409
    keyed = {**headers, "Idempotency-Key": "k-1"}
    assert buy(client, keyed, member, "R-2", 1000).status_code == 201
    reused_key = buy(client, keyed, member, "R-3", 1000)
    assert reused_key.status_code == 409
    assert reused_key.get_json()["error"] == "idempotency_conflict"
    unknown = client.post(
        "/api/v1/purchases",
        json={"member": "0000000000", "order_ref": "R-4", "amount_cents": 100},
        headers=headers,
    )
    assert unknown.status_code == 404 and unknown.get_json()["error"] == "unknown_member"
    assert rows(member.id)["member"][0][0] == 160  # 150 + 10, once each
    assert rows(member.id)["purchase_count"] == 2
    assert ledger_mismatches() == []


def test_a_member_changed_meanwhile_leaves_nothing_of_the_fast_path(client, headers, monkeypatch):
    """The compare-and-set fails, the write statement aborts, the general path records it."""
    member = factories.member()
    original = hot_path._write
    aborted = []

    def change_first(cursor, *args, **kwargs):
        with db.engine.begin() as other:  # another transaction commits in between
            other.execute(
                update(Member)
                .where(Member.id == member.id)
                .values(growth_interaction=Member.growth_interaction + 5)
            )
        try:
            return original(cursor, *args, **kwargs)
        except hot_path.TakeGeneralPath:
            aborted.append(True)
            raise

    monkeypatch.setattr(hot_path, "_write", change_first)
    response = buy(client, headers, member, "C-1", 15000)
    assert aborted == [True]
    assert response.status_code == 201 and response.get_json()["balance"] == 150
    after = rows(member.id)
    assert after["purchase_count"] == 1 and len(after["lots"]) == 1
    assert len(after["entries"]) == 1 and len(after["growth"]) == 1
    assert [a[0] for a in after["audit"]] == ["purchase.recorded", "tier.changed"]
    assert after["member"][0][:5] == (150, 0, 155, 150, 5)
    assert calls() == [("POST", "/api/v1/purchases", 201)]
    assert ledger_mismatches() == []


def test_a_debt_is_repaid_first(client, headers):
    member = factories.member()
    assert buy(client, headers, member, "D-1", 15000).status_code == 201
    ledger.spend(member.id, 150, kind="redeem", source_type="test", source_id=None,
                 actor=SystemActor(), now=utcnow())  # fmt: skip
    refund = client.post(
        "/api/v1/purchases/D-1/refunds",
        json={"amount_cents": 15000, "refund_ref": "RF-1"},
        headers=headers,
    )
    assert refund.status_code == 201
    assert db.session.scalar(select(Member.points_debt).where(Member.id == member.id)) == 150
    repaid = buy(client, headers, member, "D-2", 20000)
    assert repaid.status_code == 201 and repaid.get_json()["balance"] == 50
    db.session.commit()
    assert db.session.execute(
        select(Member.points_balance, Member.points_debt).where(Member.id == member.id)
    ).one() == (50, 0)
    assert ledger_mismatches() == []


def test_a_bad_token_is_401_before_the_body_is_judged(client, till):
    member = factories.member()
    wrong = {"Authorization": "Bearer mpk_nope_nope"}
    bad_body = client.post("/api/v1/purchases", json={"member": ""}, headers=wrong)
    assert bad_body.status_code == 401 and bad_body.get_json()["error"] == "invalid_token"
    api_services.revoke_client(till[0].id, actor=SystemActor())
    revoked = buy(client, till[1], member, "T-1", 15000)
    assert revoked.status_code == 401 and revoked.get_json()["error"] == "revoked_token"
    revoked_bad_body = client.post("/api/v1/purchases", json={}, headers=till[1])
    assert revoked_bad_body.status_code == 401
    assert rows(member.id)["purchase_count"] == 0 and rows(member.id)["member"][0][0] == 0
    assert db.session.scalar(text("SELECT count(*) FROM api_idempotency")) == 0
