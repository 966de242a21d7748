"""Random sequences of ledger operations keep the invariants after every step."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from memberportal.core.errors import DomainError
from memberportal.extensions import db
from memberportal.points import ledger
from memberportal.points.models import LedgerEntry
from memberportal.points.services import adjust_points
from memberportal.purchases import services as purchases
from tests import factories
from tests.points_helpers import ACTOR, T0, assert_invariants, spend

STEP = st.one_of(
    st.tuples(st.just("buy"), st.integers(1, 50000)),
    st.tuples(st.just("spend"), st.integers(1, 300)),
    st.tuples(st.just("refund"), st.integers(1, 30000)),
    st.tuples(st.just("adjust"), st.integers(-200, 200)),
    st.tuples(st.just("expire"), st.integers(0, 120)),
    st.tuples(st.just("give_back"), st.integers(0, 5)),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=14))
def test_random_ledger_sequences_keep_the_invariants(steps):
    member = factories.member()
    now, bought, spends = T0, [], []
    for op, value in steps:
        now += timedelta(days=7)
        try:
            if op == "buy":
                result = purchases.record_purchase(
                    member.id, value, f"o{len(bought)}-{member.id}", source="prop",
                    actor=ACTOR, now=now,
                )  # fmt: skip
                bought.append(result.purchase_id)
            elif op == "spend":
                spends.append(spend(member.id, value, now=now).id)
            elif op == "refund" and bought:
                purchases.record_refund(
                    bought[value % len(bought)], value, refund_ref=None, actor=ACTOR, now=now
                )
            elif op == "adjust":
                adjust_points(member.id, value, reason="property", actor=ACTOR, now=now)
            elif op == "expire":
                ledger.expire_due(now + timedelta(days=value * 3))
            elif op == "give_back" and spends:
                ledger.give_back(spends[value % len(spends)], actor=ACTOR, now=now, reason="p")
        except DomainError:
            db.session.rollback()
        assert_invariants(member.id)
    gave = db.session.scalars(
        select(LedgerEntry.reverses_entry_id).where(LedgerEntry.entry_type == "give_back")
    ).all()
    assert len(gave) == len(set(gave))
