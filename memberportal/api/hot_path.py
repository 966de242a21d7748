"""POST /api/v1/purchases on PostgreSQL in two statements: the common case, made fast.

The general path (api.services.answer_once around purchases.services.record_purchase) takes
some seventeen round trips through the ORM. This path makes the same rows for the common case
(a known member without a points debt, a new order reference and request key): one read of
everything the rules need, and one write statement whose parts all run only if the purchase
row was claimed and the member's row still holds what was read. Every number still comes from
the same rules (points.rules, points.services, tiers.rules), and the writes keep the same
guards (a conditional UPDATE of the member's row, UNIQUE order reference and request key).

Anything else (an unknown member, a debt to repay first, a replay or a conflicting retry, a
member changed by someone else meanwhile, SQLite) raises TakeGeneralPath inside the
transaction, so nothing written here survives, and the caller answers through the general
path, which knows every case. tests/api/test_hot_path.py checks both paths leave the same rows.
"""

from __future__ import annotations

import json
import time
from datetime import datetime

import psycopg
from psycopg.rows import dict_row

from memberportal.api.models import ClientActor
from memberportal.api.services import Answer
from memberportal.extensions import db
from memberportal.members.queries import normalise_code
from memberportal.memberships.models import ENTITLED
from memberportal.memberships.rules import GRACE
from memberportal.points.models import EARN
from memberportal.points.rules import best_multiplier, growth_for_purchase, points_for_purchase
from memberportal.points.services import DEFAULT_RULES, expiry_for, multipliers_at, rules_from_row
from memberportal.purchases.services import PurchaseResult
from memberportal.tiers.rules import TierStep, display_growth, next_threshold, reachable_rank


class TakeGeneralPath(Exception):
    """The request is not the common case: roll back and answer through the general path."""


RULE_COLUMNS = ", ".join(f"r.{field}" for field in DEFAULT_RULES)

# The calling client, everything the earning rules need, and the ids the write will use (taken
# from the sequences, so the rows can point at each other within one statement).
CONTEXT = f"""
SELECT c.id AS client_id, c.name AS client_name, c.revoked_at IS NOT NULL AS client_revoked,
       m.id AS member_id, m.member_no, m.points_debt, m.points_balance, m.growth_spend,
       m.growth_interaction, t.id AS tier_id, t.rank AS tier_rank,
       t.code AS tier_code, t.points_multiplier_pct AS tier_pct,
       (SELECT pl.points_multiplier_pct
          FROM memberships ms JOIN membership_plans pl ON pl.id = ms.plan_id
         WHERE ms.member_id = m.id AND ms.status = ANY(%(entitled)s)
           AND ms.current_period_end > %(grace_cut)s
         ORDER BY ms.current_period_end DESC LIMIT 1) AS card_pct,
       (SELECT json_agg(json_build_array(rank, growth_threshold, id, code)) FROM tiers) AS tiers,
       {RULE_COLUMNS},
       nextval('purchases_id_seq') AS purchase_id,
       nextval('point_lots_id_seq') AS lot_id,
       nextval('point_entries_id_seq') AS entry_id
  FROM api_clients c
  LEFT JOIN (members m JOIN tiers t ON t.id = m.tier_id)
         ON m.card_code = %(card_code)s OR m.member_no = %(code)s OR m.phone = %(code)s
  LEFT JOIN program_rules r ON r.id = 1
 WHERE c.token_hash = %(token_hash)s
 LIMIT 1
"""  # noqa: S608 - the only text put in is RULE_COLUMNS, from DEFAULT_RULES; values are bound

# One statement writes it all, on the condition that the member's row still holds what CONTEXT
# read (a compare-and-set: the UPDATE re-checks its WHERE on the row it locks, so a change
# committed meanwhile makes it match nothing). Rows are taken in the general path's order:
# the request key with its answer (UNIQUE (client_id, key)), then the purchase (UNIQUE
# (source, order_ref)), then the member's row; every other row hangs on the member's UPDATE.
# The statement runs as its own transaction; when the member's row was not updated it raises
# (take_general_path, migration api_0002), so that nothing of it is kept.
WRITE = """
WITH request_key AS (
  INSERT INTO api_idempotency (client_id, key, request_hash, resource, status, body,
                               created_at)
  VALUES (%(actor_id)s, %(key)s, %(fingerprint)s, %(resource)s, %(status)s, %(body)s, %(now)s)
  ON CONFLICT (client_id, key) DO NOTHING
  RETURNING id
), p AS (
  INSERT INTO purchases (id, member_id, source, order_ref, amount_cents, refunded_cents,
                         rate_pct, multiplier_pct, points_earned, points_refunded,
                         growth_earned, growth_refunded, earn_entry_id, note, store,
                         actor_label, at)
  SELECT %(purchase_id)s, %(member_id)s, %(source)s, %(order_ref)s, %(amount_cents)s, 0,
         %(rate_pct)s, %(multiplier_pct)s, %(points)s, 0, %(growth)s, 0, %(earn_entry_id)s,
         %(note)s, %(store)s, %(actor_label)s, %(now)s
    FROM request_key
  ON CONFLICT (source, order_ref) DO NOTHING
  RETURNING id
), m AS (
  UPDATE members
     SET points_balance = %(balance)s, growth_spend = %(spend)s, growth = %(shown)s,
         tier_id = %(to_tier_id)s,
         tier_since = CASE WHEN %(moved)s THEN %(now)s ELSE tier_since END
   WHERE id = %(member_id)s AND points_debt = 0 AND points_balance = %(old_balance)s
     AND growth_spend = %(old_spend)s AND growth_interaction = %(interaction)s
     AND tier_id = %(from_tier_id)s AND EXISTS (SELECT 1 FROM p)
  RETURNING id
), lot AS (
  INSERT INTO point_lots (id, member_id, amount, remaining, earned_at, expires_at,
                          expired_points)
  SELECT %(lot_id)s, m.id, %(points)s, %(points)s, %(now)s, %(expires_at)s, 0
    FROM m WHERE %(points)s > 0
), entry AS (
  INSERT INTO point_entries (id, member_id, entry_type, kind, points, debt_points, lot_id,
                             source_type, source_id, expires_at, actor_kind, actor_id,
                             actor_label, at)
  SELECT %(entry_id)s, m.id, %(earn)s, 'purchase', %(points)s, 0, %(lot_id)s,
         'purchase', %(purchase_id)s, %(expires_at)s, %(actor_kind)s, %(actor_id)s,
         %(actor_label)s, %(now)s
    FROM m WHERE %(points)s > 0
), growth AS (
  INSERT INTO growth_entries (member_id, kind, cause, amount, source_type, source_id, at)
  SELECT m.id, 'spend', 'purchase', %(growth)s, 'purchase', %(purchase_id)s, %(now)s
    FROM m WHERE %(growth)s > 0
), change AS (
  INSERT INTO tier_changes (member_id, from_tier_id, to_tier_id, cause, growth_spend,
                            growth_interaction, actor_label, at)
  SELECT m.id, %(from_tier_id)s, %(to_tier_id)s, 'growth', %(spend)s, %(interaction)s,
         %(actor_label)s, %(now)s
    FROM m WHERE %(moved)s
), audit AS (
  INSERT INTO audit_entries (at, actor_kind, actor_id, actor_label, action, subject_type,
                             subject_id, reason, details)
  SELECT %(now)s, %(actor_kind)s, %(actor_id)s, %(actor_label)s, a.action, 'member', m.id,
         a.reason, a.details
    FROM m, (VALUES ('purchase.recorded', NULL, %(purchase_details)s::json),
                    ('tier.changed', 'growth', %(change_details)s::json))
             AS a (action, reason, details)
   WHERE a.action = 'purchase.recorded' OR %(moved)s
), call AS (
  INSERT INTO api_calls (client_id, at, method, path, status, replayed, duration_ms)
  SELECT %(actor_id)s, %(now)s, %(method)s, %(path)s, %(status)s, false, %(duration_ms)s
    FROM m
)
SELECT COALESCE((SELECT id FROM m), take_general_path('not the common case'))
"""


NOT_COMMON = "MP001"  # the SQLSTATE take_general_path raises


def record_purchase(
    token_hash: str,
    data: dict,
    *,
    key: str,
    fingerprint: str,
    resource: str,
    method: str,
    path: str,
    started: float,
    now: datetime,
    answer_body,
) -> tuple[ClientActor, Answer]:
    """Authenticate the client and record its purchase in two statements, or raise
    TakeGeneralPath having written nothing. `answer_body(result, member_no)` builds the
    answer, as for the general path.

    The statements run on a connection of their own in autocommit mode: the write is one
    statement, so it is one transaction, and no BEGIN or COMMIT round trip is needed."""
    if db.engine.dialect.name != "postgresql":
        raise TakeGeneralPath()
    code = normalise_code(data["member"])
    order_ref = data["order_ref"].strip()
    if not code or not order_ref:
        raise TakeGeneralPath()  # the general path says why it is refused
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # The driver's own cursor: the ORM's result machinery costs more than these
        # statements do on the server.
        cursor = connection.connection.driver_connection.cursor(row_factory=dict_row)
        context = cursor.execute(
            CONTEXT,
            {
                "token_hash": token_hash,
                "entitled": list(ENTITLED),
                "grace_cut": now - GRACE,
                "card_code": code.upper(),
                "code": code,
            },
        ).fetchone()
        if not context or context["client_revoked"] or not context["member_id"]:
            raise TakeGeneralPath()  # the general path answers 401 or 404
        if context["points_debt"]:
            raise TakeGeneralPath()  # a debt is repaid first: the ledger knows how
        client = ClientActor(context["client_id"], context["client_name"], False)
        answer = _write(cursor, client, context, data, order_ref, key=key,
                        fingerprint=fingerprint, resource=resource, method=method, path=path,
                        started=started, now=now, answer_body=answer_body)  # fmt: skip
    return client, answer


def _write(cursor, client, context, data, order_ref, *, key, fingerprint, resource, method,
           path, started, now, answer_body) -> Answer:  # fmt: skip
    rules = rules_from_row(context)
    card = [context["card_pct"]] if context["card_pct"] else []
    multiplier = best_multiplier(multipliers_at(now, rules, context["tier_pct"], card))
    amount = data["amount_cents"]
    points = points_for_purchase(amount, rules.rate_pct, multiplier)
    growth = growth_for_purchase(amount)
    tiers = {rank: (tier_id, code) for rank, _threshold, tier_id, code in context["tiers"]}
    steps = [TierStep(rank, threshold) for rank, threshold, _id, _code in context["tiers"]]
    spend, interaction = context["growth_spend"] + growth, context["growth_interaction"]
    cap = rules.interaction_cap_pct
    old_rank = context["tier_rank"]
    rank = max(reachable_rank(spend, interaction, steps, cap), old_rank)  # up only, at once
    moved = rank != old_rank
    old_code, new_code = context["tier_code"], tiers[rank][1]
    balance = context["points_balance"] + points
    result = PurchaseResult(context["purchase_id"], points, growth, balance, new_code,
                    f"{old_code}->{new_code}" if moved else None)  # fmt: skip
    body = answer_body(result, context["member_no"])
    try:
        cursor.execute(
            WRITE,
            {
                "purchase_id": context["purchase_id"],
                "lot_id": context["lot_id"],
                "entry_id": context["entry_id"],
                "earn_entry_id": context["entry_id"] if points else None,
                "member_id": context["member_id"],
                "source": f"api:{client.id}",
                "order_ref": order_ref,
                "amount_cents": amount,
                "rate_pct": rules.rate_pct,
                "multiplier_pct": multiplier,
                "points": points,
                "growth": growth,
                "note": (data.get("note") or "").strip() or None,
                "store": data.get("store"),
                "now": now,
                "expires_at": expiry_for(now, rules),
                "earn": EARN,
                "old_balance": context["points_balance"],
                "balance": balance,
                "old_spend": context["growth_spend"],
                "spend": spend,
                "interaction": interaction,
                "shown": display_growth(spend, interaction, next_threshold(rank, steps), cap),
                "moved": moved,
                "from_tier_id": context["tier_id"],
                "to_tier_id": tiers[rank][0],
                "actor_kind": client.actor_kind,
                "actor_id": client.actor_id,
                "actor_label": client.audit_label,
                "purchase_details": json.dumps(
                    {
                        "purchase_id": context["purchase_id"],
                        "order_ref": order_ref,
                        "amount_cents": amount,
                        "points": points,
                    }
                ),  # fmt: skip
                "change_details": json.dumps(
                    {
                        "old": old_code,
                        "new": new_code,
                        "growth_spend": spend,
                        "growth_interaction": interaction,
                    }
                ),  # fmt: skip
                "key": key,
                "fingerprint": fingerprint,
                "resource": resource,
                "status": 201,
                "body": json.dumps(body),
                "method": method,
                "path": path[:300],
                "duration_ms": int((time.perf_counter() - started) * 1000),
            },
        )
    except psycopg.Error as error:
        if error.sqlstate == NOT_COMMON:
            # A replay, a conflicting retry, or the member's row changed since CONTEXT read it.
            raise TakeGeneralPath() from None
        raise
    return Answer(201, body, False)
