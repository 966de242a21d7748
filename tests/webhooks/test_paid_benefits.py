"""The paid card's points multiplier applies while the card is active, and stops at once."""

from datetime import UTC, datetime

import time_machine

from memberportal.core.actors import SYSTEM
from memberportal.core.clock import utcnow
from memberportal.purchases.services import record_purchase

# A Tuesday that is not the member day, so only tier and card multipliers compete.
ORDINARY_DAY = datetime(2026, 11, 17, 4, 0, tzinfo=UTC)


def buy(member, ref, cents=10000):
    return record_purchase(member.id, cents, ref, source="till", actor=SYSTEM, now=utcnow())


def test_svip_earns_one_and_a_half_times_until_revoked(sim, payer):
    with time_machine.travel(ORDINARY_DAY, tick=True):
        assert buy(payer, "before").points_earned == 100
        sub = sim.subscribe(payer)
        assert buy(payer, "while-svip").points_earned == 150  # SVIP 1.5x beats VIP1's 1x
        sim.refund(sub)  # full refund of the period: revoked at once
        assert buy(payer, "after-revoke").points_earned == 100


def test_growth_is_never_multiplied_by_the_card(sim, payer):
    with time_machine.travel(ORDINARY_DAY, tick=True):
        sim.subscribe(payer)
        assert buy(payer, "g1", cents=12345).growth_earned == 123


def test_till_sees_the_active_paid_card_and_its_discount(sim, payer, client):
    from memberportal.api import services as api

    _till, token = api.create_client("Till", actor=SYSTEM)
    url = f"/api/v1/members/{payer.member_no}"
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(url, headers=headers).get_json()["paid_membership"] is None
    sub = sim.subscribe(payer)
    card = client.get(url, headers=headers).get_json()["paid_membership"]
    assert card["plan"] == "SVIP" and card["discount_bps"] == 500
    sim.refund(sub)
    assert client.get(url, headers=headers).get_json()["paid_membership"] is None
