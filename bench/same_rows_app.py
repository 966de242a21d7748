"""The second yardstick: the rows our purchase writes, in hand-written SQL, with nothing else.

One transaction writing into the real tables (their indexes, constraints and foreign keys)
exactly the rows that POST /api/v1/purchases writes today, as `bench/purchase_statements.py`
lists them (ROWS below). No validation, no authentication, no ORM; the earning arithmetic is
one line and the tier ladder is read once at start. Where the real path writes one row in
several statements (the member's row), this writes it once: what is left between this app and
ours is the cost of our code, not of the rows. When a purchase writes other rows, change
ROWS here in the same commit. Served by gunicorn exactly like the real app.
"""

import hashlib
import json
import os

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, text

engine = create_engine(
    os.environ["BENCH_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1),
    pool_size=4,
)
app = Flask(__name__)

with engine.connect() as _conn:
    CLIENT_ID, CLIENT_NAME = _conn.execute(
        text("SELECT id, name FROM api_clients ORDER BY id DESC LIMIT 1")
    ).one()
    # Active ladder, highest first: (id, code, threshold).
    LADDER = _conn.execute(
        text(
            "SELECT id, code, growth_threshold FROM tiers WHERE retired_at IS NULL "
            "ORDER BY rank DESC"
        )
    ).all()
ACTOR = f"api {CLIENT_NAME}"
CODES = {tier_id: code for tier_id, code, _threshold in LADDER}

# The member's row, written once and locked by it: balance, growth and the growth shown.
MEMBER = text(
    "UPDATE members SET points_balance = points_balance + :points, "
    "growth_spend = growth_spend + :growth, growth = growth_spend + :growth "
    "WHERE member_no = :member AND points_debt = 0 "
    "RETURNING id, tier_id, growth_spend, points_balance"
)
MOVE = text("UPDATE members SET tier_id = :tier, tier_since = now() WHERE id = :id")
# The purchase, with the request's key and hash and what it answered.
PURCHASE = text(
    "INSERT INTO purchases (member_id, source, order_ref, amount_cents, refunded_cents, "
    "rate_pct, multiplier_pct, points_earned, points_refunded, growth_earned, growth_refunded, "
    "actor_label, at, request_key, request_hash, balance_after, tier_after, tier_move) "
    "VALUES (:id, :source, :ref, :amount, 0, 100, 100, :points, 0, :growth, 0, :actor, now(), "
    ":key, :hash, :balance, :tier, :move) ON CONFLICT DO NOTHING RETURNING id"
)
# The earning is its own lot: it carries the points still open.
ENTRY = text(
    "INSERT INTO point_entries (member_id, entry_type, kind, points, debt_points, remaining, "
    "expired_points, source_type, source_id, expires_at, actor_kind, actor_id, actor_label, "
    "at) VALUES (:id, 'earn', 'purchase', :points, 0, :points, 0, 'purchase', :purchase, "
    "now() + interval '1 year', 'api', :client, :actor, now())"
)
TIER_CHANGE = text(
    "INSERT INTO tier_changes (member_id, from_tier_id, to_tier_id, cause, growth_spend, "
    "growth_interaction, actor_label, at) VALUES (:id, :old, :new, 'growth', :spend, 0, "
    ":actor, now())"
)
AUDIT = text(
    "INSERT INTO audit_entries (at, actor_kind, actor_id, actor_label, action, subject_type, "
    "subject_id, details) VALUES (now(), 'api', :client, :actor, :action, 'member', :id, "
    "CAST(:details AS json))"
)
NOTIFY = text(
    "INSERT INTO notification_events (kind, category, member_id, payload, dedupe_key, "
    "created_at) VALUES ('tier.up', 'tier', :id, CAST(:payload AS json), md5(random()::text), "
    "now())"
)

# What one purchase writes, in order (bench/purchase_statements.py lists the real path's).
ROWS = (
    "members (one UPDATE, which locks the row)",
    "purchases (with the request key and the answer)",
    "point_entries",
    "tier_changes + audit_entries + notification_events when the tier moves",
)  # api_usage: one row per client and hour, added every few seconds, left out here


def _tier_for(tier_id: int, growth_spend: int) -> int:
    """The tier a member on `tier_id` holds with this spend growth: up only."""
    ranks = {tid: len(LADDER) - i for i, (tid, _code, _t) in enumerate(LADDER)}
    for position, (reached, _code, threshold) in enumerate(LADDER):
        if growth_spend >= threshold:
            return reached if len(LADDER) - position > ranks.get(tier_id, 0) else tier_id
    return tier_id


@app.post("/api/v1/purchases")
def purchase():
    raw = request.get_data()
    data = json.loads(raw)
    amount, ref = data["amount_cents"], data["order_ref"]
    points = growth = amount // 100
    with engine.begin() as conn:
        member_id, old_tier, spend, balance = conn.execute(
            MEMBER, {"points": points, "growth": growth, "member": data["member"]}
        ).one()
        new_tier = _tier_for(old_tier, spend)
        if new_tier != old_tier:
            conn.execute(MOVE, {"tier": new_tier, "id": member_id})
            conn.execute(
                TIER_CHANGE,
                {"id": member_id, "old": old_tier, "new": new_tier, "spend": spend,
                 "actor": ACTOR},
            )  # fmt: skip
            conn.execute(
                AUDIT,
                {"client": CLIENT_ID, "actor": ACTOR, "action": "tier.changed",
                 "id": member_id, "details": json.dumps({"new": new_tier})},
            )  # fmt: skip
            conn.execute(NOTIFY, {"id": member_id, "payload": json.dumps({"new": new_tier})})
        code = CODES[new_tier]
        purchase_id = conn.execute(
            PURCHASE,
            {"id": member_id, "source": f"api:{CLIENT_ID}", "ref": ref, "amount": amount,
             "points": points, "growth": growth, "actor": ACTOR, "key": f"order:{ref}",
             "hash": hashlib.sha256(raw).hexdigest(), "balance": balance, "tier": code,
             "move": f"{CODES[old_tier]}->{code}" if new_tier != old_tier else None},
        ).scalar_one()  # fmt: skip
        conn.execute(
            ENTRY,
            {"id": member_id, "points": points, "purchase": purchase_id, "client": CLIENT_ID,
             "actor": ACTOR},
        )  # fmt: skip
        body = {"purchase_id": purchase_id, "points_earned": points, "balance": balance,
                "tier": code}  # fmt: skip
    return jsonify(body), 201
