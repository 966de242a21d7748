"""Stored value use cases on a real database: top-up credit once, proportional spends and
refunds, top-up refunds, freezes, and the ledger staying equal to the balance."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from memberportal.audit.models import AuditEntry
from memberportal.core.errors import DomainError
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.wallet import plans, rules, services
from memberportal.wallet.errors import (
    DuplicatePayment,
    DuplicateRefund,
    InsufficientBalance,
    PlanNotAvailable,
    PlanRuleBroken,
    RefundExceedsPayment,
    TopUpNotRefundable,
    WalletFrozen,
)
from memberportal.wallet.models import Spend, TopUp, Wallet, WalletEntry
from memberportal.wallet.queries import ledger_mismatches, outstanding, tier_benefits_held
from tests import factories
from tests.wallet_helpers import (
    ACTOR,
    T0,
    assert_invariants,
    pay,
    plan,
    refund,
    state,
    topped_up,
)


def test_a_credited_top_up_adds_principal_and_bonus_once():
    member = factories.member()
    topup = topped_up(member.id, 50000, 5000)
    assert state(member.id) == {"principal": 50000, "bonus": 5000,
                                "ledger_principal": 50000, "ledger_bonus": 5000}  # fmt: skip
    again = services.credit_topup(topup.id, amount_cents=50000, payment_intent="pi_x",
                                  session_id="cs_x", actor=ACTOR, now=T0)  # fmt: skip
    assert again is False
    assert state(member.id)["principal"] == 50000
    assert db.session.scalar(select(func.count()).select_from(WalletEntry)) == 1


def test_a_payment_of_another_amount_credits_nothing():
    member = factories.member()
    found = plan(100000, 15000)
    topup = services.start_topup(found.id, member.id, actor=ACTOR, now=T0)
    assert not services.credit_topup(topup.id, amount_cents=99900, payment_intent="pi_1",
                                     session_id="cs_1", actor=ACTOR, now=T0)  # fmt: skip
    assert state(member.id)["principal"] == 0
    assert db.session.get(TopUp, topup.id).state == "pending"


def test_bonus_points_are_earned_with_the_top_up():
    member = factories.member()
    found = plan(100000, 15000, bonus_points=200)
    topup = services.start_topup(found.id, member.id, actor=ACTOR, now=T0)
    services.credit_topup(topup.id, amount_cents=100000, payment_intent="pi_2",
                          session_id="cs_2", actor=ACTOR, now=T0)  # fmt: skip
    db.session.expire_all()
    assert db.session.get(Member, member.id).points_balance == 200


def test_a_plan_above_the_members_tier_is_refused():
    member = factories.member()
    found = plan(100000, 15000, min_tier_id=factories.tier("VIP3").id)
    with pytest.raises(PlanNotAvailable):
        services.start_topup(found.id, member.id, actor=ACTOR, now=T0)
    assert db.session.scalar(select(func.count()).select_from(TopUp)) == 0


def test_spend_splits_in_the_wallets_proportion():
    member = factories.member()
    topped_up(member.id, 50000, 5000)
    spent = pay(member.id, 11000)
    assert (spent.principal_cents, spent.bonus_cents) == (10000, 1000)
    assert state(member.id)["principal"] == 40000 and state(member.id)["bonus"] == 4000
    entry = db.session.scalars(select(WalletEntry).where(WalletEntry.kind == "spend")).one()
    assert (entry.principal_cents, entry.bonus_cents) == (-10000, -1000)
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "wallet.spent")).one()
    assert audit.details["amount_cents"] == 11000


def test_spending_more_than_the_balance_changes_nothing():
    member = factories.member()
    topped_up(member.id, 50000, 5000)
    with pytest.raises(InsufficientBalance):
        pay(member.id, 55001)
    assert state(member.id)["principal"] == 50000
    assert db.session.scalar(select(func.count()).select_from(Spend)) == 0
    pay(member.id, 55000)
    assert assert_invariants(member.id)["principal"] == 0


def test_the_same_order_reference_pays_once():
    member = factories.member()
    topped_up(member.id)
    pay(member.id, 1000, "SAME")
    with pytest.raises(DuplicatePayment):
        pay(member.id, 1000, "SAME")
    assert state(member.id)["principal"] + state(member.id)["bonus"] == 54000


def test_refunds_return_the_spends_own_parts_exactly():
    member = factories.member()
    topped_up(member.id, 50000, 5000)
    spent = pay(member.id, 11000)
    first = refund(spent.id, 3333)
    second = refund(spent.id, 7667)
    assert first.principal_cents + second.principal_cents == 10000
    assert first.bonus_cents + second.bonus_cents == 1000
    assert assert_invariants(member.id)["principal"] == 50000
    with pytest.raises(RefundExceedsPayment):
        refund(spent.id, 1)


def test_a_refund_reference_refunds_once():
    member = factories.member()
    topped_up(member.id)
    spent = pay(member.id, 5000)
    refund(spent.id, 1000, "R1")
    with pytest.raises(DuplicateRefund):
        refund(spent.id, 1000, "R1")
    db.session.expire_all()
    assert db.session.get(Spend, spent.id).refunded_cents == 1000


def test_a_top_up_refund_returns_unspent_principal_and_forfeits_bonus():
    member = factories.member()
    topup = topped_up(member.id, 50000, 5000)
    pay(member.id, 11000)
    refunded = services.refund_topup(topup.id, actor=ACTOR, now=T0)
    assert refunded.state == "refunding"
    assert (refunded.refunded_principal_cents, refunded.forfeited_bonus_cents) == (40000, 4000)
    assert assert_invariants(member.id) == {"principal": 0, "bonus": 0,
                                            "ledger_principal": 0, "ledger_bonus": 0}  # fmt: skip
    with pytest.raises(TopUpNotRefundable):
        services.refund_topup(topup.id, actor=ACTOR, now=T0)


def test_a_top_up_refund_takes_only_what_that_top_up_put_in():
    member = factories.member()
    first = topped_up(member.id, 50000, 5000)
    topped_up(member.id, 100000, 15000)
    refunded = services.refund_topup(first.id, actor=ACTOR, now=T0)
    assert (refunded.refunded_principal_cents, refunded.forfeited_bonus_cents) == (50000, 5000)
    assert assert_invariants(member.id)["principal"] == 100000


def test_an_open_dispute_freezes_spending():
    member = factories.member()
    topped_up(member.id)
    db.session.execute(db.update(Wallet).values(open_disputes=1))
    db.session.commit()
    with pytest.raises(WalletFrozen):
        pay(member.id, 100)
    assert state(member.id)["principal"] == 50000


def test_the_check_refuses_a_negative_balance_even_without_the_service():
    member = factories.member()
    topped_up(member.id)
    with pytest.raises(Exception):  # noqa: B017 - the database's CHECK, whichever driver
        db.session.execute(db.update(Wallet).values(bonus_cents=-1))
        db.session.flush()
    db.session.rollback()
    assert state(member.id)["bonus"] == 5000


def test_verify_finds_a_wallet_that_disagrees_with_its_ledger():
    member = factories.member()
    topped_up(member.id)
    assert ledger_mismatches() == []
    db.session.execute(db.update(Wallet).values(principal_cents=49999))
    db.session.commit()
    (bad,) = ledger_mismatches()
    assert (bad.member_id, bad.principal_cents, bad.ledger_principal) == (member.id, 49999, 50000)


def test_outstanding_sums_every_wallet():
    a, b = factories.member(), factories.member()
    topped_up(a.id, 50000, 5000)
    topped_up(b.id, 100000, 15000)
    pay(b.id, 11500)
    owed = outstanding()
    assert (owed.principal_cents, owed.bonus_cents, owed.wallets) == (140000, 18500, 2)


def test_plan_rules_are_refused_with_the_field():
    with pytest.raises(PlanRuleBroken) as error:
        plan(50000, 60000)
    assert error.value.field == "bonus"


def test_tier_tied_to_balance():
    member = factories.member()
    tier_id = member.tier_id
    assert tier_benefits_held(member.id, tier_id)
    plans.save_settings(True, [tier_id], actor=ACTOR)
    assert not tier_benefits_held(member.id, tier_id)
    topped_up(member.id)
    assert tier_benefits_held(member.id, tier_id)
    plans.save_settings(False, [tier_id], actor=ACTOR)
    pay(member.id, 55000)
    assert tier_benefits_held(member.id, tier_id)


@pytest.mark.parametrize(
    ("amount", "principal", "bonus", "expected"),
    [
        (11000, 50000, 5000, (10000, 1000)),
        (1, 50000, 5000, (1, 0)),
        (55000, 50000, 5000, (50000, 5000)),
        (100, 0, 100, (0, 100)),
        (333, 100000, 15000, (290, 43)),
    ],
)
def test_split_table(amount, principal, bonus, expected):
    parts = rules.split_spend(amount, principal, bonus)
    assert (parts.principal_cents, parts.bonus_cents) == expected


STEP = st.one_of(
    st.tuples(st.just("topup"), st.sampled_from([(50000, 5000), (100000, 15000), (999, 1)])),
    st.tuples(st.just("spend"), st.integers(1, 80000)),
    st.tuples(st.just("refund"), st.integers(1, 80000)),
    st.tuples(st.just("refund_topup"), st.integers(0, 5)),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=14))
def test_random_sequences_keep_balance_equal_to_ledger(steps):
    member = factories.member()
    topups, spends = [], []
    for op, value in steps:
        try:
            if op == "topup":
                topups.append(topped_up(member.id, *value).id)
            elif op == "spend":
                spends.append(pay(member.id, value).id)
            elif op == "refund" and spends:
                spent = db.session.get(Spend, spends[value % len(spends)])
                refund(spent.id, min(value, max(spent.amount_cents - spent.refunded_cents, 1)))
            elif op == "refund_topup" and topups:
                services.refund_topup(topups[value % len(topups)], actor=ACTOR, now=T0)
        except DomainError:
            db.session.rollback()
        assert_invariants(member.id)


def test_wallet_verify_exits_non_zero_on_a_mismatch(app):
    member = factories.member()
    topped_up(member.id)
    pay(member.id, 11000)
    ok = app.test_cli_runner().invoke(args=["wallet", "verify"])
    assert ok.exit_code == 0 and "principal 40000 fen, bonus 4000 fen" in ok.output
    db.session.execute(db.update(Wallet).values(bonus_cents=4001))
    db.session.commit()
    bad = app.test_cli_runner().invoke(args=["wallet", "verify"])
    assert bad.exit_code == 1
    assert f"member {member.id}: principal 40000, bonus 4001" in bad.output


def test_the_demo_adds_the_two_plans_once():
    from memberportal.wallet import demo
    from memberportal.wallet.models import TopUpPlan

    assert demo.load() == 2
    db.session.commit()
    assert demo.load() == 0
    found = db.session.scalars(select(TopUpPlan).order_by(TopUpPlan.pay_cents)).all()
    assert [(p.pay_cents, p.credit_cents) for p in found] == [(50000, 55000), (100000, 115000)]


def test_a_tier_tied_to_the_balance_earns_no_tier_multiplier_at_zero():
    from memberportal.purchases import services as purchases
    from memberportal.tiers.models import Tier
    from tests.coupon_helpers import move_to_tier

    member = factories.member()
    db.session.execute(db.update(Tier).where(Tier.code == "VIP3").values(points_multiplier_pct=200))
    move_to_tier(member.id, "VIP3")
    plans.save_settings(True, [factories.tier("VIP3").id], actor=ACTOR)
    at_zero = purchases.record_purchase(member.id, 10000, "Z-1", source="t", actor=ACTOR, now=T0)
    topped_up(member.id)
    funded = purchases.record_purchase(member.id, 10000, "Z-2", source="t", actor=ACTOR, now=T0)
    assert at_zero.points_earned == 100
    assert funded.points_earned == 200


def test_a_refunded_top_up_takes_its_bonus_points_back():
    member = factories.member()
    found = plan(100000, 15000, bonus_points=200)
    topup = services.start_topup(found.id, member.id, actor=ACTOR, now=T0)
    services.credit_topup(topup.id, amount_cents=100000, payment_intent="pi_3",
                          session_id="cs_3", actor=ACTOR, now=T0)  # fmt: skip
    services.refund_topup(topup.id, actor=ACTOR, now=T0)
    db.session.expire_all()
    assert db.session.get(Member, member.id).points_balance == 0
