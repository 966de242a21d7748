"""Refunds that complete a reviewed purchase together: its review growth goes back once."""

import threading
import time
from datetime import date

import pytest
import time_machine
from sqlalchemy import func, select, update

from memberportal.api import services as api
from memberportal.audit.models import AuditEntry
from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.purchases.errors import RefundExceedsPurchase
from memberportal.purchases.models import Purchase
from memberportal.purchases.services import record_purchase, record_refund
from memberportal.reviews.errors import PurchaseRefunded
from memberportal.reviews.models import Review
from memberportal.reviews.services import review_purchase
from memberportal.tiers import interactions
from memberportal.tiers.models import GrowthEntry
from tests import factories
from tests.api.conftest import ORDINARY_DAY
from tests.concurrency.test_api_concurrency import fire
from tests.concurrency.test_points_races import run_threads
from tests.points_helpers import ACTOR

pytestmark = pytest.mark.concurrency


@pytest.fixture(autouse=True)
def ordinary_day():
    with time_machine.travel(ORDINARY_DAY, tick=True):
        yield


def profile_and_review(member_id: int, purchase_id: int) -> None:
    """+20 from the profile first, so a second take-back could not hide behind the zero floor."""
    interactions.save_profile(member_id, "王芳", date(1990, 5, 4), actor=ACTOR, now=utcnow())
    review_purchase(member_id, purchase_id, 5, "Worth the wait.", actor=ACTOR, now=utcnow())


def taken_back(member_id: int) -> tuple[int, int, int, int]:
    db.session.expire_all()
    member = db.session.get(Member, member_id)
    entries = db.session.scalar(
        select(func.count(GrowthEntry.id)).where(GrowthEntry.cause == "review_returned")
    )
    audits = db.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.action == "review.growth_returned")
    )
    return member.growth_spend, member.growth_interaction, entries, audits


def test_six_partial_refunds_at_once_take_the_review_growth_once(app):
    member_id = factories.member().id
    purchase_id = record_purchase(
        member_id, 10000, "RACE-1", source="till", actor=ACTOR, now=utcnow()
    ).purchase_id
    profile_and_review(member_id, purchase_id)
    outcomes = run_threads(
        app,
        6,
        lambda: record_refund(purchase_id, 2000, refund_ref=None, actor=ACTOR, now=utcnow()),
    )
    assert outcomes.count("ok") == 5, outcomes
    assert outcomes.count(RefundExceedsPurchase.__name__) == 1
    assert taken_back(member_id) == (0, 20, 1, 1)  # the profile's 20 stays
    assert db.session.scalars(select(Review.returned_by_refund_id)).one() is not None


def test_two_api_refunds_completing_one_purchase_answer_the_review_growth_once(app):
    member = factories.member()
    member_id = member.id
    _client, token = api.create_client("Till", actor=SystemActor())
    headers = {"Authorization": f"Bearer {token}"}
    body = {"member": member.member_no, "order_ref": "R", "amount_cents": 10000}
    bought = app.test_client().post("/api/v1/purchases", headers=headers, json=body)
    assert bought.status_code == 201
    purchase_id = db.session.scalar(select(Purchase.id).where(Purchase.order_ref == "R"))
    profile_and_review(member_id, purchase_id)

    def refund(client, i):
        response = client.post(
            "/api/v1/purchases/R/refunds",
            headers=headers,
            json={"amount_cents": 5000, "refund_ref": f"r{i}"},
        )
        return response.status_code, response.get_json()

    answers = fire(app, 2, refund)
    assert [status for status, _ in answers] == [201, 201]
    reviews_part = sorted(body["review_growth_taken"] for _, body in answers)
    assert reviews_part == [0, 10]
    assert sum(body["growth_taken"] for _, body in answers) == 100 + 10
    assert taken_back(member_id) == (0, 20, 1, 1)


def test_a_review_written_while_the_completing_refund_commits_is_refused(app):
    """The review's INSERT reads the purchase row with a share lock: a refund that is about to
    leave the purchase fully refunded makes the review wait, then refuse, so no review keeps
    growth its refunded purchase no longer earns."""
    member_id = factories.member().id
    bought = record_purchase(member_id, 10000, "RACE-2", source="till", actor=ACTOR, now=utcnow())
    purchase_id = bought.purchase_id
    refund_holds_the_row, outcomes = threading.Event(), []

    def refund_in_progress():
        with app.app_context(), db.engine.connect() as connection:
            connection.execute(
                update(Purchase)
                .where(Purchase.id == purchase_id)
                .values(refunded_cents=Purchase.amount_cents)
            )
            refund_holds_the_row.set()
            time.sleep(0.5)  # the review arrives while this transaction is still open
            connection.commit()

    def review():
        refund_holds_the_row.wait(10)
        with app.app_context():
            try:
                review_purchase(member_id, purchase_id, 5, "Worth the wait.", actor=ACTOR,
                                now=utcnow())  # fmt: skip
                outcomes.append("ok")
            except Exception as error:  # noqa: BLE001 - the outcome is what we check
                outcomes.append(type(error).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=refund_in_progress), threading.Thread(target=review)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes == [PurchaseRefunded.__name__]
    assert db.session.scalar(select(func.count(Review.id))) == 0
    # Only the purchase's own growth (the simulated refund takes none); no review growth.
    assert taken_back(member_id) == (bought.growth_earned, 0, 0, 0)
    assert bought.growth_earned == 100
