"""Mall races: the database, not Python, decides who gets the last units."""

import secrets
import threading

import pytest
from sqlalchemy import select

from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.mall import services
from memberportal.mall.models import Order
from memberportal.members.models import Member
from tests import factories
from tests.mall_helpers import balance, order_count, rich_member, stock
from tests.points_helpers import assert_invariants

pytestmark = pytest.mark.concurrency


def run_threads(app, jobs):
    """Start every job at once (a barrier), each in its own app context; return outcomes."""
    outcomes, barrier = [], threading.Barrier(len(jobs))

    def worker(job):
        with app.app_context():
            barrier.wait()
            try:
                job()
                outcomes.append("ok")
            except Exception as error:  # noqa: BLE001 - the outcome is what we count
                outcomes.append(type(error).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return outcomes


def redeem_job(member_id, item_id):
    def job():
        member = db.session.get(Member, member_id)
        services.redeem(
            member_id, item_id, 1, secrets.token_urlsafe(18), actor=member, now=utcnow()
        )

    return job


def test_fifty_members_redeem_the_last_ten_units(app):
    item = factories.mall_item(points_price=100, stock=10)
    members = [rich_member(150).id for _ in range(50)]
    outcomes = run_threads(app, [redeem_job(m, item.id) for m in members])
    assert outcomes.count("ok") == 10, outcomes
    assert outcomes.count("OutOfStock") == 40, outcomes
    assert stock(item.id) == 0 and order_count() == 10
    winners = set(db.session.scalars(select(Order.member_id)))
    for member_id in members:
        assert balance(member_id) == (50 if member_id in winners else 150)
        assert_invariants(member_id)


def test_one_member_with_a_limit_of_two_fires_ten(app):
    item = factories.mall_item(points_price=10, stock=50, per_member_limit=2)
    member_id = rich_member(1000).id
    outcomes = run_threads(app, [redeem_job(member_id, item.id) for _ in range(10)])
    assert outcomes.count("ok") == 2, outcomes
    assert outcomes.count("LimitReached") == 8, outcomes
    assert order_count() == 2 and stock(item.id) == 48 and balance(member_id) == 980


def test_one_request_key_submitted_ten_times_makes_one_order(app):
    item_id = factories.mall_item(points_price=10).id
    member_id = rich_member(1000).id
    key = secrets.token_urlsafe(18)

    def job():
        member = db.session.get(Member, member_id)
        services.redeem(member_id, item_id, 1, key, actor=member, now=utcnow())

    outcomes = run_threads(app, [job] * 10)
    assert outcomes == ["ok"] * 10
    assert order_count() == 1 and balance(member_id) == 990 and stock(item_id) == 9


def test_two_staff_hand_over_the_same_code(app):
    member = rich_member(500)
    order = services.redeem(
        member.id, factories.mall_item().id, 1, secrets.token_urlsafe(18), actor=member,
        now=utcnow(),
    )  # fmt: skip
    code = order.pickup_code
    staff_ids = [factories.staff("cashier").id, factories.staff("manager").id]

    def hand_over(staff_id):
        def job():
            from memberportal.accounts.models import StaffUser

            services.hand_over(code, actor=db.session.get(StaffUser, staff_id), now=utcnow())

        return job

    outcomes = run_threads(app, [hand_over(s) for s in staff_ids])
    assert sorted(outcomes) == ["AlreadyHandedOver", "ok"], outcomes
    assert order_count(status="fulfilled") == 1
