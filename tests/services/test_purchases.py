"""Purchases and refunds through the services, on the real database."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from memberportal.core.errors import ValidationFailed
from memberportal.extensions import db
from memberportal.points.errors import InsufficientPoints, UnknownMember
from memberportal.points.services import update_program_rules
from memberportal.purchases import services
from memberportal.purchases.errors import DuplicatePurchase, RefundExceedsPurchase
from memberportal.tiers.models import TierChange
from memberportal.tiers.services import record_interaction, reevaluate
from tests import factories
from tests.points_helpers import ACTOR, T0, assert_invariants, spend


def buy(member_id, cents, ref, now=T0):
    return services.record_purchase(member_id, cents, ref, source="till", actor=ACTOR, now=now)


def test_purchase_earns_points_and_growth_and_moves_up_at_once():
    m = factories.member()
    result = buy(m.id, 15000, "A-1")
    assert (result.points_earned, result.growth_earned, result.balance) == (150, 150, 150)
    assert result.tier_code == "VIP2" and result.tier_changed == "VIP1->VIP2"
    change = db.session.scalars(select(TierChange)).one()
    assert change.cause == "growth"


def test_repeated_reference_gives_no_second_credit():
    m = factories.member()
    first = buy(m.id, 1000, "A-2")
    with pytest.raises(DuplicatePurchase) as caught:
        buy(m.id, 1000, "A-2")
    assert caught.value.purchase_id == first.purchase_id
    assert assert_invariants(m.id)["balance"] == 10


def test_bad_input_changes_nothing():
    m = factories.member()
    for cents in (0, -100):
        with pytest.raises(ValidationFailed):
            buy(m.id, cents, "B")
    with pytest.raises(ValidationFailed):
        buy(m.id, 100, "  ")
    with pytest.raises(UnknownMember):
        buy(999_999, 100, "C")
    assert assert_invariants(m.id)["balance"] == 0


def test_vip4_multiplier_and_member_day():
    m = factories.member()
    buy(m.id, 100000, "big")  # -> VIP4 after this one, earned at 1x
    assert buy(m.id, 12345, "next").points_earned == 148  # 1.2x
    update_program_rules(actor=ACTOR, now=T0, member_day=T0.day)
    assert buy(m.id, 12345, "member-day").points_earned == 246  # 2x beats 1.2x


def test_partial_refunds_add_up_to_what_was_earned_and_never_exceed_the_amount():
    m = factories.member()
    p = buy(m.id, 12345, "R-1")
    first = services.record_refund(p.purchase_id, 6000, refund_ref="r1", actor=ACTOR, now=T0)
    assert (first.points_taken, first.growth_taken, first.balance) == (59, 59, 64)
    with pytest.raises(RefundExceedsPurchase):
        services.record_refund(p.purchase_id, 6346, refund_ref="r2", actor=ACTOR, now=T0)
    rest = services.record_refund(p.purchase_id, 6345, refund_ref="r3", actor=ACTOR, now=T0)
    assert rest.points_taken + first.points_taken == 123
    assert rest.balance == 0
    assert assert_invariants(m.id)["debt"] == 0


def test_refund_after_spending_leaves_a_debt_that_blocks_spending():
    m = factories.member()
    p = buy(m.id, 10000, "D-1")
    spend(m.id, 80)
    result = services.record_refund(p.purchase_id, 10000, refund_ref=None, actor=ACTOR, now=T0)
    assert result.balance == -80
    with pytest.raises(InsufficientPoints):
        spend(m.id, 1)
    assert buy(m.id, 10000, "D-2").balance == 20
    assert assert_invariants(m.id)["debt"] == 0


def test_interactions_are_capped_and_downgrade_waits_for_the_period_end():
    m = factories.member()
    record_interaction(m.id, "sign_in", 100, actor=ACTOR, now=T0)
    db.session.refresh(m)
    assert m.tier.code == "VIP1" and m.growth == 60  # 40% of 150 counts
    assert buy(m.id, 9000, "G-1").tier_code == "VIP2"  # 90 + 60
    services.record_refund(1, 9000, refund_ref=None, actor=ACTOR, now=T0)
    db.session.refresh(m)
    assert m.tier.code == "VIP2"  # no flicker on refund
    assert reevaluate(T0 + timedelta(days=200), actor=ACTOR)["moved"] == 0
    db.session.refresh(m)
    assert m.tier.code == "VIP2"
    assert reevaluate(T0 + timedelta(days=370), actor=ACTOR)["moved"] == 1
    db.session.refresh(m)
    assert m.tier.code == "VIP1"
    causes = db.session.scalars(select(TierChange.cause).order_by(TierChange.id)).all()
    assert causes == ["growth", "reevaluation"]


def test_an_amount_above_ten_million_yuan_is_refused_and_records_nothing():
    m = factories.member()
    with pytest.raises(ValidationFailed):
        buy(m.id, 1_000_000_001, "HUGE-1")
    assert db.session.scalar(select(db.func.count()).select_from(services.Purchase)) == 0
    assert buy(m.id, 1_000_000_000, "HUGE-2").points_earned == 10_000_000
