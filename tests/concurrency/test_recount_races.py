"""The periodic recount beside purchases and refunds: no committed growth is lost."""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.purchases import services
from memberportal.purchases.models import Purchase
from memberportal.tiers.models import GrowthEntry
from memberportal.tiers.services import reevaluate
from tests import factories
from tests.concurrency.test_points_races import run_threads
from tests.points_helpers import ACTOR, T0

pytestmark = pytest.mark.concurrency

LATER = T0 + timedelta(days=1)


def growth_and_entries(member_id: int) -> tuple[int, int]:
    """The member's spend growth counter, and what its records add up to: the purchases'
    growth (kept on each purchase) and the spend entries (refunds)."""
    db.session.expire_all()
    counter = db.session.get(Member, member_id).growth_spend
    entries = db.session.scalar(
        select(func.coalesce(func.sum(GrowthEntry.amount), 0)).where(
            GrowthEntry.member_id == member_id, GrowthEntry.kind == "spend"
        )
    )
    bought = db.session.scalar(
        select(func.coalesce(func.sum(Purchase.growth_earned), 0)).where(
            Purchase.member_id == member_id
        )
    )
    return counter, entries + bought


def _waiting_on_locks() -> int:
    with db.engine.connect() as conn:
        return conn.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
        )


def _wait_for_waiters(count: int) -> None:
    deadline = time.monotonic() + 20
    while _waiting_on_locks() < count:
        assert time.monotonic() < deadline, f"never saw {count} transactions waiting"
        time.sleep(0.02)


def _in_thread(app, work, errors):
    def run():
        with app.app_context():
            try:
                work()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_purchases_queued_before_the_recount_are_counted(app):
    """Deterministic on PostgreSQL: one purchase is written but not yet committed (it holds
    the member's row) while a second purchase and then the recount queue behind it. Both
    purchases commit first; the recount must count their growth entries, not overwrite the
    counter from the snapshot it started with."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks and snapshots are PostgreSQL's; SQLite serialises writers")
    member_id = factories.member().id
    services.record_purchase(member_id, 10000, "HELD-0", source="till", actor=ACTOR, now=T0)
    assert growth_and_entries(member_id) == (100, 100)
    errors: list[Exception] = []
    db.session.info["use_case_depth"] = 1  # join an open transaction: written, not committed
    try:
        services.record_purchase(member_id, 3100, "HELD-1", source="till", actor=ACTOR, now=LATER)
    finally:
        db.session.info["use_case_depth"] = 0
    buyer = _in_thread(
        app,
        lambda: services.record_purchase(
            member_id, 4200, "HELD-2", source="till", actor=ACTOR, now=LATER
        ),
        errors,
    )
    _wait_for_waiters(1)
    job = _in_thread(app, lambda: reevaluate(LATER, actor=ACTOR), errors)
    _wait_for_waiters(2)
    db.session.commit()
    buyer.join(30)
    job.join(30)
    assert not errors, errors
    assert growth_and_entries(member_id) == (173, 173)


def test_purchases_refunds_and_recounts_together_keep_growth_equal_to_its_entries(app):
    members = [factories.member().id for _ in range(3)]
    bought = []
    for i, member_id in enumerate(members):
        for n in range(4):
            bought.append(
                services.record_purchase(
                    member_id, 3000 + 100 * n, f"BASE-{i}-{n}", source="till",
                    actor=ACTOR, now=T0,
                ).purchase_id
            )  # fmt: skip
    counter = iter(range(1000))
    lock = threading.Lock()

    def work():
        with lock:
            n = next(counter)
        if n % 4 == 0:
            reevaluate(LATER, actor=ACTOR)
        elif n % 4 == 1:
            services.record_refund(bought[n % len(bought)], 700, refund_ref=None, actor=ACTOR,
                                   now=LATER)  # fmt: skip
        else:
            services.record_purchase(
                members[n % 3], 1000 + n, f"RACE-{n}", source="till", actor=ACTOR, now=LATER
            )

    for _round in range(3):
        outcomes = run_threads(app, 12, work)
        assert set(outcomes) <= {"ok", "RefundExceedsPurchase"}, outcomes
    for member_id in members:
        counter_value, entries = growth_and_entries(member_id)
        assert counter_value == entries, (member_id, counter_value, entries)
        assert entries > 0
