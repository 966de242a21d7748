"""A till refunds a reviewed purchase: the answer says all the growth the member lost."""

from sqlalchemy import select

from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.purchases.models import Purchase
from memberportal.reviews.models import Review
from memberportal.reviews.services import review_purchase
from memberportal.tiers.models import GrowthEntry
from tests import factories
from tests.points_helpers import ACTOR

URL = "/api/v1/purchases/R-1/refunds"


def reviewed_purchase(client, headers, cents=20000):
    member = factories.member()
    body = {"member": member.member_no, "order_ref": "R-1", "amount_cents": cents}
    assert client.post("/api/v1/purchases", json=body, headers=headers).status_code == 201
    purchase_id = db.session.scalar(select(Purchase.id).where(Purchase.order_ref == "R-1"))
    review_purchase(member.id, purchase_id, 4, "Good coffee, quick.", actor=ACTOR, now=utcnow())
    return member


def standing(member) -> tuple[int, int, int, str]:
    db.session.expire_all()
    m = db.session.get(Member, member.id)
    return m.growth_spend, m.growth_interaction, m.growth, m.tier.code


def test_the_refund_completing_a_reviewed_purchase_answers_its_growth_too(client, headers):
    member = reviewed_purchase(client, headers)
    assert standing(member) == (200, 10, 210, "VIP2")
    first = client.post(URL, json={"amount_cents": 5000, "refund_ref": "r1"}, headers=headers)
    assert first.status_code == 201
    assert first.get_json() == {
        "refund_id": first.get_json()["refund_id"], "order_ref": "R-1", "points_taken": 50,
        "growth_taken": 50, "review_growth_taken": 0, "balance": 150,
    }  # fmt: skip
    assert standing(member)[:2] == (150, 10)
    rest = client.post(URL, json={"amount_cents": 15000, "refund_ref": "r2"}, headers=headers)
    body = rest.get_json()
    assert rest.status_code == 201
    assert (body["points_taken"], body["balance"]) == (150, 0)
    assert (body["growth_taken"], body["review_growth_taken"]) == (160, 10)  # 150 + the review's
    assert standing(member)[:2] == (0, 0) and standing(member)[3] == "VIP2"
    # A retry replays the answer and takes nothing more.
    again = client.post(URL, json={"amount_cents": 15000, "refund_ref": "r2"}, headers=headers)
    assert again.get_json() == body and again.headers["Idempotent-Replayed"] == "true"
    entries = db.session.scalars(
        select(GrowthEntry.amount).where(GrowthEntry.cause == "review_returned")
    ).all()
    assert entries == [-10]
    review = db.session.scalars(select(Review)).one()
    assert review.returned_by_refund_id == body["refund_id"]


def test_a_refund_refused_for_its_amount_takes_nothing(client, headers):
    member = reviewed_purchase(client, headers, cents=10000)
    too_much = client.post(URL, json={"amount_cents": 10001, "refund_ref": "r1"}, headers=headers)
    assert too_much.status_code == 422
    assert standing(member)[:2] == (100, 10)
    assert db.session.scalars(select(Review.growth_returned_at)).one() is None


def test_the_openapi_document_says_what_growth_taken_counts(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    refund = spec["components"]["schemas"]["RefundOut"]["properties"]
    assert "review" in refund["growth_taken"]["description"]
    assert "review_growth_taken" in spec["components"]["schemas"]["RefundOut"]["required"]
