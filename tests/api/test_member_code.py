"""The API's member lookup and purchases take the card's rotating code (frozen time)."""

from datetime import timedelta

import time_machine

from memberportal.core.clock import utcnow
from memberportal.members.queries import card_code_for
from tests import factories


def test_lookup_by_rotating_code_then_expired_then_by_typed_number(client, headers):
    member = factories.member(contact="13700000042", name="王小明")
    start = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False) as clock:
        code = card_code_for(member, utcnow()).code
        clock.shift(90)
        body = client.get(f"/api/v1/members/{code}", headers=headers).get_json()
        assert body["member_no"] == member.member_no and body["identified_by"] == "code"
        assert "phone_last_digits" not in body
        bought = client.post(
            "/api/v1/purchases", headers=headers,
            json={"member": code, "order_ref": "RC-1", "amount_cents": 10000},
        )  # fmt: skip
        assert bought.status_code == 201 and bought.get_json()["points_earned"] == 100
        clock.shift(30)
        late = client.get(f"/api/v1/members/{code}", headers=headers)
        assert late.status_code == 404 and late.get_json()["error"] == "member_code_expired"
        refused = client.post(
            "/api/v1/purchases", headers=headers,
            json={"member": code, "order_ref": "RC-2", "amount_cents": 10000},
        )  # fmt: skip
        assert refused.status_code == 404
        assert refused.get_json()["error"] == "member_code_expired"
    typed = client.get(f"/api/v1/members/{member.member_no}", headers=headers).get_json()
    assert typed["identified_by"] == "member_no" and typed["phone_last_digits"] == "0042"
    fixed = client.get(f"/api/v1/members/{member.card_code}", headers=headers)
    assert fixed.status_code == 404 and fixed.get_json()["error"] == "unknown_member"
