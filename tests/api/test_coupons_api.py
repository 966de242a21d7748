"""Coupons at a till through the API: check a code, write it off on an order, retry safely."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from memberportal.api import services
from memberportal.api.models import ApiUsage
from memberportal.audit.models import AuditEntry
from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.coupons import services as coupon_services
from memberportal.coupons.models import Coupon
from memberportal.extensions import db
from tests import factories
from tests.coupon_helpers import coupons_of, template

EN = {"Accept-Language": "en"}


def issue(member, *, amount=800, min_spend=7900) -> Coupon:
    """One coupon "8 off 79" (by default), issued now (17 Nov 2026, Shanghai) for 30 days."""
    made = template(
        amount_cents=amount, min_spend_cents=min_spend, tier_id=factories.tier("VIP1").id
    )
    coupon_services.issue_tier_coupons(member.id, utcnow())
    (coupon,) = [c for c in coupons_of(member.id) if c.template_id == made.id]
    return coupon


def redeem(client, headers, code, ref="T1-0001", cents=8800, **extra):
    body = {"order_ref": ref, "order_amount_cents": cents, **extra}
    return client.post(f"/api/v1/coupons/{code}/redemptions", json=body, headers={**EN, **headers})


def write_offs() -> list[AuditEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(AuditEntry).where(AuditEntry.action == "coupon.written_off"))
    )


def expire(coupon: Coupon) -> None:
    now = utcnow()
    db.session.execute(
        update(Coupon)
        .where(Coupon.id == coupon.id)
        .values(issued_at=now - timedelta(days=40), expires_at=now - timedelta(seconds=1))
    )
    db.session.commit()


@pytest.fixture
def member():
    return factories.member(contact="13600000009", name="王小明")


def test_a_till_sees_the_coupon_and_whether_this_order_can_use_it(client, headers, member):
    coupon = issue(member)
    spaced = f"{coupon.code[:5].lower()}-{coupon.code[5:]} "
    check = client.get(f"/api/v1/coupons/{spaced}?order_amount_cents=7900", headers=headers)
    assert check.status_code == 200
    assert check.get_json() == {
        "code": coupon.code,
        "member_no": member.member_no,
        "name": check.get_json()["name"],
        "amount_off_cents": 800,
        "min_spend_cents": 7900,
        "valid_until": "2026-12-16T15:59:59.999999+00:00",
        "last_valid_day": "2026-12-16",
        "status": "issued",
        "used_at": None,
        "order_amount_cents": 7900,
        "usable": True,
        "refusal": None,
    }
    body = check.get_data(as_text=True)
    assert "王小明" not in body and "13600000009" not in body  # the member number only
    below = client.get(
        f"/api/v1/coupons/{coupon.code}?order_amount_cents=7899", headers={**EN, **headers}
    ).get_json()
    assert below["usable"] is False and below["status"] == "issued"
    assert below["refusal"]["error"] == "coupon_min_spend_not_met"
    assert "79.00" in below["refusal"]["message"]
    without_amount = client.get(f"/api/v1/coupons/{coupon.code}", headers=headers).get_json()
    assert without_amount["usable"] is True and without_amount["order_amount_cents"] is None
    assert coupons_of(member.id)[0].state == "issued"  # a check changes nothing


def test_the_check_names_a_used_or_expired_coupon(client, headers, member):
    used = issue(member)
    redeem(client, headers, used.code)
    body = client.get(f"/api/v1/coupons/{used.code}?order_amount_cents=9000", headers=headers)
    assert body.get_json()["status"] == "used" and body.get_json()["used_at"]
    assert body.get_json()["refusal"]["error"] == "coupon_used"
    other = factories.member()
    old = issue(other, amount=2500, min_spend=0)
    expire(old)
    expired = client.get(f"/api/v1/coupons/{old.code}", headers=headers).get_json()
    assert expired["status"] == "expired" and expired["refusal"]["error"] == "coupon_expired"
    unknown = client.get("/api/v1/coupons/AAAAA22222", headers=headers)
    assert unknown.status_code == 404 and unknown.get_json()["error"] == "unknown_coupon"
    bad = client.get(f"/api/v1/coupons/{old.code}?order_amount_cents=abc", headers=headers)
    assert bad.status_code == 422 and bad.get_json()["error"] == "invalid_amount"
    assert "order_amount_cents" in bad.get_json()["details"]


def test_redeeming_writes_the_coupon_off_once_with_the_order_and_the_client(client, till, member):
    api_client, headers = till
    coupon = issue(member)
    response = redeem(client, headers, coupon.code.lower(), ref="T1-0001", cents=8800)
    assert response.status_code == 201
    body = response.get_json()
    assert body["order_ref"] == "T1-0001" and body["order_amount_cents"] == 8800
    assert body["amount_off_cents"] == 800
    assert body["coupon"]["status"] == "used" and body["coupon"]["code"] == coupon.code
    assert body["coupon"]["member_no"] == member.member_no and body["coupon"]["used_at"]
    (after,) = coupons_of(member.id)
    assert (after.state, after.used_on_cents, after.used_order_ref) == ("used", 8800, "T1-0001")
    assert after.used_by == "api Store 1 till"
    (audit,) = write_offs()
    assert (audit.actor_kind, audit.actor_id, audit.actor_label) == (
        "api",
        api_client.id,
        "api Store 1 till",
    )
    assert audit.details["order_ref"] == "T1-0001" and audit.details["order_cents"] == 8800


def test_a_retry_replays_the_first_answer_and_changes_nothing(client, headers, member):
    coupon = issue(member)
    first = redeem(client, headers, coupon.code)
    again = redeem(client, headers, f"{coupon.code[:5]} {coupon.code[5:]}")
    assert again.status_code == first.status_code == 201
    assert again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true"
    keyed = {**headers, "Idempotency-Key": "till-7-0001"}
    rekeyed = redeem(client, keyed, coupon.code)  # the same order under a new key
    assert rekeyed.status_code == 201 and rekeyed.get_json() == first.get_json()
    assert len(write_offs()) == 1
    (after,) = coupons_of(member.id)
    assert (after.state, after.used_order_ref) == ("used", "T1-0001")


def test_a_refusal_is_replayed_too(client, headers, member):
    coupon = issue(member)
    first = redeem(client, headers, coupon.code, cents=5000)
    again = redeem(client, headers, coupon.code, cents=5000)
    assert first.status_code == again.status_code == 422
    assert again.get_json() == first.get_json()
    assert first.get_json()["error"] == "coupon_min_spend_not_met"
    assert first.get_json()["details"]["min_spend_cents"] == 7900
    assert "79.00" in first.get_json()["message"] and "50.00" in first.get_json()["message"]
    assert coupons_of(member.id)[0].state == "issued" and write_offs() == []


def test_the_same_key_with_another_body_is_a_conflict(client, headers, member):
    coupon = issue(member)
    keyed = {**headers, "Idempotency-Key": "till-7-0002"}
    redeem(client, keyed, coupon.code, ref="K-1", cents=8800)
    other_order = redeem(client, keyed, coupon.code, ref="K-2", cents=8800)
    assert other_order.status_code == 409
    assert other_order.get_json()["error"] == "idempotency_conflict"
    same_ref_other_amount = redeem(client, headers, coupon.code, ref="K-1", cents=9900)
    assert same_ref_other_amount.status_code == 409
    assert same_ref_other_amount.get_json()["error"] == "idempotency_conflict"
    assert coupons_of(member.id)[0].used_on_cents == 8800 and len(write_offs()) == 1


def test_a_used_order_ref_under_a_new_key_with_another_amount_is_a_conflict(
    client, headers, member
):
    coupon = issue(member)
    first = redeem(client, {**headers, "Idempotency-Key": "till-7-0003"}, coupon.code,
                   ref="N-1", cents=8800)  # fmt: skip
    assert first.status_code == 201
    moved = redeem(client, {**headers, "Idempotency-Key": "till-7-0004"}, coupon.code,
                   ref="N-1", cents=12000)  # fmt: skip
    assert moved.status_code == 409 and moved.get_json()["error"] == "idempotency_conflict"
    assert coupons_of(member.id)[0].used_on_cents == 8800 and len(write_offs()) == 1


def test_every_refusal_has_its_code_and_status(client, headers, member):
    used = issue(member)
    assert redeem(client, headers, used.code, ref="A").status_code == 201
    other_order = redeem(client, headers, used.code, ref="B")
    assert (other_order.status_code, other_order.get_json()["error"]) == (409, "coupon_used")
    _other, other_token = services.create_client("Online shop", actor=SystemActor())
    shop = {"Authorization": f"Bearer {other_token}"}
    same_ref_other_client = redeem(client, shop, used.code, ref="A")
    assert same_ref_other_client.status_code == 409
    assert same_ref_other_client.get_json()["error"] == "coupon_used"

    old = issue(factories.member(), amount=2500, min_spend=0)
    expire(old)
    expired = redeem(client, headers, old.code, ref="C")
    assert (expired.status_code, expired.get_json()["error"]) == (422, "coupon_expired")
    unknown = redeem(client, headers, "AAAAA-22222", ref="D")
    assert (unknown.status_code, unknown.get_json()["error"]) == (404, "unknown_coupon")
    blank = redeem(client, headers, "--", ref="E")
    assert (blank.status_code, blank.get_json()["error"]) == (404, "unknown_coupon")
    assert len(write_offs()) == 1
    assert coupons_of(old.member_id)[0].state == "issued"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"order_ref": "x", "order_amount_cents": 0}, "invalid_amount", "order_amount_cents"),
        ({"order_ref": "x", "order_amount_cents": -1}, "invalid_amount", "order_amount_cents"),
        ({"order_ref": "x", "order_amount_cents": "88"}, "invalid_amount", "order_amount_cents"),
        ({"order_ref": "x", "order_amount_cents": 8.5}, "invalid_amount", "order_amount_cents"),
        (
            {"order_ref": "x", "order_amount_cents": 1_000_000_001},
            "invalid_amount",
            "order_amount_cents",
        ),
        ({"order_amount_cents": 8800}, "invalid_request", "order_ref"),
        ({"order_ref": "", "order_amount_cents": 8800}, "invalid_request", "order_ref"),
        ({"order_ref": "A\x00B", "order_amount_cents": 8800}, "invalid_request", "order_ref"),
        ({"order_ref": "x" * 65, "order_amount_cents": 8800}, "invalid_request", "order_ref"),
        (
            {"order_ref": "x", "order_amount_cents": 8800, "coupon": "y"},
            "invalid_request",
            "coupon",
        ),
    ],
)
def test_bad_input_is_422_with_the_field_and_changes_nothing(
    client, headers, member, body, code, field
):
    coupon = issue(member)
    response = client.post(f"/api/v1/coupons/{coupon.code}/redemptions", json=body, headers=headers)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"] == code and field in response.get_json()["details"]
    assert coupons_of(member.id)[0].state == "issued" and write_offs() == []


def test_broken_json_is_400(client, headers, member):
    coupon = issue(member)
    response = client.post(
        f"/api/v1/coupons/{coupon.code}/redemptions",
        data="{not json",
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_json"
    assert coupons_of(member.id)[0].state == "issued"


def test_token_missing_wrong_or_revoked_is_401(client, till, member):
    api_client, headers = till
    coupon = issue(member)
    for url, send in (
        (f"/api/v1/coupons/{coupon.code}", client.get),
        (f"/api/v1/coupons/{coupon.code}/redemptions", client.post),
    ):
        body = {"json": {"order_ref": "Z", "order_amount_cents": 8800}}
        missing = send(url, **body)
        assert (missing.status_code, missing.get_json()["error"]) == (401, "missing_token")
        wrong = send(url, headers={"Authorization": "Bearer mpk_nope_nope"}, **body)
        assert (wrong.status_code, wrong.get_json()["error"]) == (401, "invalid_token")
        bad_body = send(url, headers={"Authorization": "Bearer mpk_nope"}, json={"x": 1})
        assert bad_body.status_code == 401
    services.revoke_client(api_client.id, actor=SystemActor())
    revoked = redeem(client, headers, coupon.code)
    assert (revoked.status_code, revoked.get_json()["error"]) == (401, "revoked_token")
    looked_up = client.get(f"/api/v1/coupons/{coupon.code}", headers=headers)
    assert looked_up.status_code == 401
    assert coupons_of(member.id)[0].state == "issued" and write_offs() == []


def test_coupon_calls_are_logged_and_rate_limited(make_app, till, member):
    api_client, headers = till
    coupon = issue(member)
    limited = make_app(API_RATE_LIMIT="4 per minute").test_client()
    # One count for all of the client's calls: the lookup and the redemptions together.
    statuses = [
        limited.get(f"/api/v1/coupons/{coupon.code}", headers=headers).status_code,
        redeem(limited, headers, coupon.code).status_code,
        redeem(limited, headers, coupon.code).status_code,
        redeem(limited, headers, coupon.code, ref="other").status_code,
        redeem(limited, headers, coupon.code, ref="another").status_code,
    ]
    assert statuses == [200, 201, 201, 409, 429]
    refused = redeem(limited, headers, coupon.code, ref="more")
    assert refused.get_json()["error"] == "rate_limited" and int(refused.headers["Retry-After"]) > 0
    # The refused call (429) is not counted: it never reached the client's check.
    (usage,) = db.session.scalars(select(ApiUsage).where(ApiUsage.client_id == api_client.id))
    assert (usage.calls, usage.errors, usage.replays) == (4, 1, 1)


def test_the_openapi_document_describes_both_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    check = spec["paths"]["/api/v1/coupons/{code}"]["get"]
    assert {p["name"] for p in check["parameters"]} == {"code", "order_amount_cents"}
    assert set(check["responses"]) >= {"200", "404", "422"}
    redeem_op = spec["paths"]["/api/v1/coupons/{code}/redemptions"]["post"]
    assert set(redeem_op["responses"]) >= {"201", "404", "409", "422"}
    assert "coupon_used" in redeem_op["responses"]["409"]["description"]
    assert "coupon_min_spend_not_met" in redeem_op["responses"]["422"]["description"]
    schemas = spec["components"]["schemas"]
    assert set(schemas["RedemptionIn"]["required"]) == {"order_ref", "order_amount_cents"}
    assert schemas["RedemptionIn"]["properties"]["order_amount_cents"]["minimum"] == 1
    docs = client.get("/api/v1/docs", headers=EN)
    assert docs.status_code == 200
    page = docs.get_data(as_text=True)
    assert "/api/v1/coupons/{code}/redemptions" in page and "CouponCheckOut" in page


def test_staff_see_the_order_a_till_used_the_coupon_on(client, headers, member, cashier_web):
    coupon = issue(member)
    redeem(client, headers, coupon.code, ref="SHOP-42")
    page = cashier_web.get(f"/merchant/coupons/write-off?code={coupon.code}", headers=EN)
    state = page.get_data(as_text=True)
    assert "SHOP-42" in state and "api Store 1 till" in state and "88.00" in state
    assert db.session.scalar(select(func.count(Coupon.id)).where(Coupon.state == "used")) == 1


def test_a_coupon_whose_points_mall_order_was_cancelled_is_void_for_a_till(client, headers):
    from memberportal.mall import services as mall
    from tests.mall_coupon_helpers import coupon_item
    from tests.mall_helpers import redeem as redeem_item
    from tests.mall_helpers import rich_member

    buyer = rich_member(1000)
    order = redeem_item(buyer.id, coupon_item(points_price=500).id)
    mall.cancel(order.id, actor=factories.staff("cashier"), now=utcnow(), reason="changed mind")
    (coupon,) = coupons_of(buyer.id)
    check = client.get(
        f"/api/v1/coupons/{coupon.code}?order_amount_cents=8800", headers={**EN, **headers}
    ).get_json()
    assert (check["status"], check["usable"], check["refusal"]["error"]) == (
        "void", False, "coupon_void",
    )  # fmt: skip
    refused = redeem(client, headers, coupon.code)
    assert (refused.status_code, refused.get_json()["error"]) == (409, "coupon_void")
    assert coupons_of(buyer.id)[0].state == "void" and write_offs() == []
