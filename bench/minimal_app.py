"""The yardstick: the bare transaction of recording a purchase, with nothing else.

One conditional UPDATE of a balance plus one INSERT of a ledger row, no validation, no
authentication, no idempotency. Served by gunicorn exactly like the real app."""

import os

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, text

engine = create_engine(
    os.environ["BENCH_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1),
    pool_size=4,
)
app = Flask(__name__)


@app.post("/api/v1/purchases")
def purchase():
    data = request.get_json()
    points = data["amount_cents"] // 100
    with engine.begin() as conn:
        row = conn.execute(
            text(
                "UPDATE bench_balances SET balance = balance + :p "
                "WHERE member_no = :m AND balance >= 0 RETURNING member_id, balance"
            ),
            {"p": points, "m": data["member"]},
        ).one()
        conn.execute(
            text("INSERT INTO bench_ledger (member_id, points, order_ref) VALUES (:i, :p, :o)"),
            {"i": row.member_id, "p": points, "o": data["order_ref"]},
        )
    return jsonify(points_earned=points, balance=row.balance), 201
