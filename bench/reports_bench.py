"""Reports benchmark on PostgreSQL (not collected by pytest).

Loads 100,000 members, 2,000,000 ledger rows, 300,000 purchases and the rest of a program
(sign-ins, mall orders, coupons, paid cards, tier moves) with set-based SQL (generate_series),
then reports in one run each report page's median time as a ratio of the median of
`SELECT count(*) FROM point_entries` (the yardstick: one scan of the ledger). Target: every
page under 10x.

    .venv/bin/python bench/reports_bench.py [DATABASE_URL] [--keep]

The schema of that database (default: memberportal_reports_bench on 127.0.0.1) is dropped
and rebuilt (use a throw-away one); --keep measures the data a previous run loaded.
"""

from __future__ import annotations

import logging
import os
import re
import statistics
import sys
import tempfile
import time

from sqlalchemy import create_engine, text

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
KEEP = "--keep" in sys.argv
URL = ARGS[0] if ARGS else "postgresql://postgres@127.0.0.1:5432/memberportal_reports_bench"
MEMBERS, PURCHASES, LEDGER = 100_000, 300_000, 2_000_000
ROUNDS = 9
PASSWORD = "bench-password-1"
PAGES = ("members", "cohorts", "points", "liability", "sales", "paid", "mall")
PERIODS = ("this_month", "this_year")

# Every statement is set-based; :m members, :p purchases. Times spread over about three years.
LOAD = [
    "INSERT INTO members (id, member_no, card_code, name, phone, password_hash, tier_id,"
    " points_balance, points_debt, growth, growth_spend, growth_interaction, joined_at,"
    " is_active_member) SELECT g, (1000000000 + g)::text, 'MPB' || g, 'Bench ' || g,"
    " (13000000000 + g)::text, 'x', (SELECT id FROM tiers WHERE rank = CASE WHEN g % 10 < 6"
    " THEN 1 WHEN g % 10 < 8 THEN 2 WHEN g % 10 < 9 THEN 3 ELSE 4 END), 0, 0, 0, 0, 0,"
    " now() - (g % 1095) * interval '1 day' - (g % 24) * interval '1 hour', true"
    " FROM generate_series(1::bigint, :m) g",
    "SELECT setval(pg_get_serial_sequence('members', 'id'), :m)",
    "INSERT INTO purchases (member_id, source, order_ref, amount_cents, refunded_cents, rate_pct,"
    " multiplier_pct, points_earned, points_refunded, growth_earned, growth_refunded,"
    " actor_label, at) SELECT 1 + (s * 7919) % :m, 'till', 'B' || s, 1000 + (s * 37) % 60000,"
    " CASE WHEN s % 50 = 0 THEN 1000 + (s * 37) % 60000 ELSE 0 END, 100, 100,"
    " (1000 + (s * 37) % 60000) / 100, CASE WHEN s % 50 = 0 THEN (1000 + (s * 37) % 60000) / 100"
    " ELSE 0 END, 0, 0, 'bench', now() - (s % 730) * interval '1 day' - (s % 86400) * interval"
    " '1 second' FROM generate_series(1::bigint, :p) s",
    # One earning (its own lot) per purchase, and 900,000 campaign, sign-in and staff credits.
    "INSERT INTO point_entries (member_id, entry_type, kind, points, debt_points, remaining,"
    " expired_points, source_type, expires_at, actor_kind, actor_label, at) SELECT member_id,"
    " 'earn', 'purchase', greatest(points_earned, 1), 0, greatest(points_earned, 1) * (id % 3)"
    " / 2, 0, 'bench', at + interval '365 days', 'system', 'bench', at FROM purchases",
    "INSERT INTO point_entries (member_id, entry_type, kind, points, debt_points, remaining,"
    " expired_points, source_type, expires_at, actor_kind, actor_label, at) SELECT"
    " 1 + (s * 104729) % :m, 'earn', CASE WHEN (:p + s) % 9 = 0 THEN 'adjust'"
    " WHEN (:p + s) % 3 = 0 THEN 'referral' ELSE 'campaign' END, 10 + s % 200, 0,"
    " (10 + s % 200) * (s % 2), 0, 'bench', now() - (s % 800) * interval '1 day'"
    " + interval '365 days', 'system', 'bench', now() - (s % 800) * interval '1 day'"
    " FROM generate_series(1::bigint, 900000) s",
    # Spends (redemptions and staff takes), expiries and refunds' clawbacks: up to 2,000,000.
    "INSERT INTO point_entries (member_id, entry_type, kind, points, debt_points, lot_id,"
    " source_type, actor_kind, actor_label, at) SELECT member_id,"
    " CASE WHEN id % 4 = 0 THEN 'expire' ELSE 'spend' END,"
    " CASE WHEN id % 4 = 0 THEN 'expire' WHEN id % 20 = 1 THEN 'adjust' ELSE 'redeem' END,"
    " -greatest(points / 2, 1), 0, CASE WHEN id % 4 = 0 THEN id END, 'bench', 'system',"
    " 'bench', at + (id % 200) * interval '1 day' FROM point_entries"
    " WHERE entry_type = 'earn' AND id <= 794000",
    "INSERT INTO point_entries (member_id, entry_type, kind, points, debt_points, source_type,"
    " source_id, actor_kind, actor_label, at) SELECT member_id, 'clawback', 'refund',"
    " -points_earned, 0, 'refund', id, 'system', 'bench', at + interval '1 day'"
    " FROM purchases WHERE refunded_cents > 0",
    "INSERT INTO sign_ins (member_id, day, growth, at) SELECT 1 + (s - 1) % :m,"
    " current_date - (((s - 1) / :m) * 7 + s % 7)::int, 5, now() - ((s - 1) / :m) * interval"
    " '7 days' - (s % 7) * interval '1 day' FROM generate_series(1::bigint, 300000) s",
    "INSERT INTO tier_changes (member_id, from_tier_id, to_tier_id, cause, growth_spend,"
    " growth_interaction, actor_label, at) SELECT 1 + (s * 31) % :m, t1.id, t2.id, 'growth', 0,"
    " 0, 'bench', now() - (s % 700) * interval '1 day' FROM generate_series(1::bigint, 20000) s"
    " JOIN tiers t1 ON t1.rank = 1 + s % 3 JOIN tiers t2 ON t2.rank = 2 + s % 3",
    "INSERT INTO mall_categories (code, name_zh, name_en, rank) VALUES ('gifts', '礼品',"
    " 'Gifts', 0)",
    "INSERT INTO coupon_templates (name_zh, name_en, amount_cents, min_spend_cents, valid_days,"
    " active, source, per_quarter, created_at, updated_at) SELECT '券' || s, 'Coupon ' || s,"
    " 500 * s, 0, 30, true, 'mall', false, now(), now() FROM generate_series(1::bigint, 5) s",
    "INSERT INTO mall_items (name_zh, name_en, description_zh, description_en, category_id,"
    " kind, points_price, cash_cents, stock, paid_only, state, coupon_template_id, created_at,"
    " updated_at) SELECT '商品' || s, 'Item ' || s, '', '', (SELECT id FROM mall_categories),"
    " CASE WHEN s <= 5 THEN 'coupon' ELSE 'pickup' END, 100 * s, 0, 1000, false, 'on_sale',"
    " CASE WHEN s <= 5 THEN (SELECT id FROM coupon_templates ORDER BY id OFFSET s - 1 LIMIT 1)"
    " END, now(), now() FROM generate_series(1::bigint, 20) s",
    "INSERT INTO mall_orders (member_id, item_id, request_key, quantity, points_cost,"
    " cash_cents, status, placed_at, cancelled_at) SELECT 1 + (s * 13) % :m,"
    " (SELECT min(id) FROM mall_items) + s % 20, 'k' || s, 1, 100, 0,"
    " CASE WHEN s % 10 = 0 THEN 'cancelled' ELSE 'fulfilled'"
    " END, now() - (s % 700) * interval '1 day', CASE WHEN s % 10 = 0 THEN now() END"
    " FROM generate_series(1::bigint, 50000) s",
    "INSERT INTO coupons (code, member_id, template_id, reason_key, amount_cents,"
    " min_spend_cents, state, issued_at, expires_at, used_at) SELECT 'C' || s,"
    " 1 + (s * 17) % :m, (SELECT min(id) FROM coupon_templates) + s % 5, 'mall:' || s, 500, 0,"
    " CASE WHEN s % 3 = 0 THEN 'used' ELSE 'issued' END, now() - (s % 700) * interval '1 day',"
    " now() - (s % 700) * interval '1 day' + interval '30 days', CASE WHEN s % 3 = 0 THEN"
    " now() - (s % 700) * interval '1 day' + interval '2 days' END"
    " FROM generate_series(1::bigint, 100000) s",
    "INSERT INTO membership_plans (code, name_zh, name_en, price_cents, billing_interval,"
    " points_multiplier_pct, discount_bps, benefits_zh, benefits_en, state, created_at)"
    " VALUES ('SVIP', '付费会员', 'SVIP', 19900, 'year', 150, 500, '', '', 'active', now())",
    "INSERT INTO memberships (member_id, plan_id, status, cancel_at_period_end,"
    " stripe_subscription_id, created_at, updated_at, ended_at) SELECT s * 19, (SELECT id FROM"
    " membership_plans), CASE WHEN s % 5 = 0 THEN 'ended' ELSE 'active' END, false, 'sub_' || s,"
    " now() - (s % 700) * interval '1 day', now(), CASE WHEN s % 5 = 0 THEN now() - (s % 100)"
    " * interval '1 day' END FROM generate_series(1::bigint, 5000) s",
    "INSERT INTO membership_billing (membership_id, member_id, kind, reference, amount_cents,"
    " currency, at) SELECT id, member_id, 'payment', 'in_' || id, 19900, 'cny', created_at"
    " FROM memberships",
    "INSERT INTO membership_billing (membership_id, member_id, kind, reference, amount_cents,"
    " currency, at) SELECT id, member_id, 'payment', 'in_r' || id, 19900, 'cny',"
    " created_at + interval '365 days' FROM memberships WHERE created_at < now() - interval"
    " '365 days'",
]


def sa_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def ensure_database(url: str) -> None:
    base, name = sa_url(url).rsplit("/", 1)
    engine = create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def load(db) -> None:
    started = time.perf_counter()
    with db.engine.begin() as conn:
        for statement in LOAD:
            conn.execute(text(statement), {"m": MEMBERS, "p": PURCHASES})
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    print(f"{'load':<40} {time.perf_counter() - started:8.1f} s")


def signed_in_manager(app, email: str):
    client = app.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/staff/login", data={"csrf_token": token, "email": email,
                                       "password": PASSWORD})  # fmt: skip
    return client


def build(app, db) -> None:
    """A fresh schema, the demo's tiers, a manager to sign in as, and the bulk data."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from memberportal.accounts.models import StaffUser
    from memberportal.demo import TIERS
    from memberportal.tiers.models import Tier

    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(directory=app.extensions["migrate"].directory)
    for code, rank, zh, en, threshold, mult, bps, _bz, _be in TIERS:
        db.session.add(Tier(code=code, rank=rank, name_zh=zh, name_en=en,
                            growth_threshold=threshold, points_multiplier_pct=mult,
                            paid_discount_bps=bps))  # fmt: skip
    hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    db.session.add(StaffUser(email="bench@example.com", name="bench", role="manager",
                             password_hash=hashed))  # fmt: skip
    db.session.commit()
    load(db)


def main() -> None:
    ensure_database(URL)
    os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="reports-bench-")
    os.environ["DATABASE_URL"] = URL
    from memberportal import create_app
    from memberportal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": sa_url(URL), "HTMX_SOURCE": "local"})
    logging.getLogger("memberportal.request").disabled = True
    with app.app_context():
        if KEEP:
            from flask_migrate import upgrade

            upgrade(directory=app.extensions["migrate"].directory)  # new indexes, if any
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            build(app, db)
        for table in ("members", "point_entries", "purchases", "sign_ins"):
            rows = db.session.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608
            print(f"{table + ' rows':<40} {rows:>10,}")
        db.session.remove()
    client = signed_in_manager(app, "bench@example.com")
    count = text("SELECT count(*) FROM point_entries")
    worst = 0.0
    with app.app_context():
        for period in PERIODS:
            for page in PAGES:
                url = f"/merchant/reports/{page}?period={period}"
                client.get(url)  # warm the page's code and plans once
                # The yardstick and the page take turns, so both see the same machine load.
                page_times, scan_times = [], []
                for _ in range(ROUNDS):
                    scan_times.append(timed(lambda: db.session.scalar(count)))
                    page_times.append(timed(lambda url=url: fetch(client, url)))
                db.session.remove()
                page_s, scan_s = statistics.median(page_times), statistics.median(scan_times)
                worst = max(worst, page_s / scan_s)
                print(f"{page + ' (' + period + ')':<28} {page_s * 1000:8.1f} ms"
                      f"   count(*) {scan_s * 1000:6.1f} ms   {page_s / scan_s:5.1f}x")  # fmt: skip
    print(f"{'worst page / count(*)':<28} {worst:5.1f}x  (target < 10x)")


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def fetch(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)


if __name__ == "__main__":
    main()
