"""The card's coupons follow the webhook: issued once the payment is processed, nothing new
after a refund revokes the card (coupons already held stay)."""

from datetime import UTC, datetime, timedelta

import time_machine

from memberportal.core.clock import utcnow
from memberportal.coupons import services
from tests.coupon_helpers import coupons_of, paid_coupons

ORDINARY_DAY = datetime(2026, 11, 17, 4, 0, tzinfo=UTC)


def paid_held(member_id: int) -> list[int]:
    return [c.amount_cents for c in coupons_of(member_id) if c.from_paid_card]


def test_card_coupons_arrive_with_the_payment_and_stop_with_the_revocation(sim, payer):
    paid_coupons()
    with time_machine.travel(ORDINARY_DAY, tick=True):
        assert services.issue_paid_coupons(payer.id, utcnow()) == []
        sub = sim.subscribe(payer)
        assert len(services.issue_paid_coupons(payer.id, utcnow())) == 2
        sim.refund(sub)  # a full refund of the period revokes the card at once
    # Next quarter (1 January in Shanghai) a card would earn a new quarterly coupon.
    with time_machine.travel(ORDINARY_DAY + timedelta(days=46), tick=True):
        assert services.issue_paid_coupons(payer.id, utcnow()) == []
    assert sorted(paid_held(payer.id)) == [3000, 5000]
