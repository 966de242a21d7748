"""Coupon and stored-value events: written with their change, once, and shown to the member."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from memberportal.core.clock import utcnow
from memberportal.core.errors import DomainError
from memberportal.coupons import mall_coupons
from memberportal.coupons import services as coupons
from memberportal.notifications import dispatch
from memberportal.wallet import payments as wallet_payments
from memberportal.wallet import services as wallet
from tests import factories
from tests.coupon_helpers import ACTOR, coupons_of, move_to_tier, tier_coupons
from tests.notifications.helpers import events, inbox
from tests.wallet_helpers import pay, refund, topped_up

T0 = datetime(2027, 3, 1, 4, 0, tzinfo=UTC)  # 12:00 on 1 March in Shanghai


def _kinds(member_id: int, prefix: str) -> list[str]:
    return [kind for kind, _ in events(member_id) if kind.startswith(prefix)]


# --- coupons ---------------------------------------------------------------------------------


def test_an_issued_coupon_is_told_once_and_a_duplicate_issue_tells_nothing(app):
    tier_coupons()
    m = factories.member()
    [coupon_id] = coupons.issue_tier_coupons(m.id, T0)
    assert coupons.issue_tier_coupons(m.id, T0 + timedelta(days=1)) == []
    assert events(m.id) == [
        (
            "coupon.issued",
            {
                "coupon_id": coupon_id,
                "name": {"zh": "满79减8", "en": "8 off orders of 79"},
                "amount_cents": 800,
                "expires_on": "2027-03-30",
            },
        )
    ]
    move_to_tier(m.id, "VIP3")
    assert len(coupons.issue_tier_coupons(m.id, T0)) == 2
    assert _kinds(m.id, "coupon.") == ["coupon.issued"] * 3


def test_the_nightly_job_tells_only_the_coupons_it_really_inserted(app):
    tier_coupons()
    members = [factories.member() for _ in range(3)]
    coupons.issue_tier_coupons(members[0].id, T0)  # issued lazily before the job
    runner = app.test_cli_runner()
    runner.invoke(args=["coupons", "issue"])
    runner.invoke(args=["coupons", "issue"])
    for m in members:
        assert _kinds(m.id, "coupon.issued") == ["coupon.issued"]
        assert len(coupons_of(m.id)) == 1


def test_a_refused_issue_writes_no_event(app):
    ids = tier_coupons()
    m = factories.member()
    with pytest.raises(DomainError):  # a tier template is not sold in the mall
        mall_coupons.issue_for_mall_order(m.id, ids["VIP1"], 1, actor=ACTOR, now=T0)
    assert events(m.id) == [] and coupons_of(m.id) == []


def test_the_expiring_warning_is_written_once_when_the_job_runs_twice(app):
    tier_coupons()
    m = factories.member()
    coupons.issue_tier_coupons(m.id, T0)  # valid through 30 March (Shanghai)
    runner = app.test_cli_runner()
    with time_machine.travel(T0 + timedelta(days=20), tick=False):  # 9 days left: outside
        runner.invoke(args=["coupons", "issue"])
    assert _kinds(m.id, "coupon.expiring") == []
    with time_machine.travel(T0 + timedelta(days=27), tick=False):  # 2 days left: inside
        first = runner.invoke(args=["coupons", "issue"])
        runner.invoke(args=["coupons", "issue"])
    assert "Checked 1 coupons expiring soon" in first.output, first.output
    warnings = [p for kind, p in events(m.id) if kind == "coupon.expiring"]
    assert warnings == [
        {
            "coupon_id": coupons_of(m.id)[0].id,
            "name": {"zh": "满79减8", "en": "8 off orders of 79"},
            "amount_cents": 800,
            "expires_on": "2027-03-30",
        }
    ]


def test_a_used_or_expired_coupon_is_not_warned(app):
    tier_coupons()
    m = factories.member()
    coupons.issue_tier_coupons(m.id, T0)
    coupons.write_off(coupons_of(m.id)[0].code, order_cents=7900, actor=ACTOR, now=T0)
    runner = app.test_cli_runner()
    with time_machine.travel(T0 + timedelta(days=27), tick=False):
        runner.invoke(args=["coupons", "issue"])
    with time_machine.travel(T0 + timedelta(days=40), tick=False):
        runner.invoke(args=["coupons", "issue"])
    assert _kinds(m.id, "coupon.expiring") == []


# --- stored value ----------------------------------------------------------------------------


def test_each_wallet_change_writes_its_event_once(app):
    m = factories.member()
    topup = topped_up(m.id, 50000, 5000)
    # the same verified payment delivered again credits (and tells) nothing
    assert not wallet.credit_topup(topup.id, amount_cents=50000, payment_intent="pi_again",
                                   session_id="cs_again", actor=ACTOR, now=T0)  # fmt: skip
    spent = pay(m.id, 11000, "ORDER-1")
    refund(spent.id, 1000, "R-1")
    wallet.refund_topup(topup.id, actor=ACTOR, now=T0)
    got = [(kind, payload) for kind, payload in events(m.id) if kind.startswith("wallet.")]
    assert got == [
        ("wallet.topup_credited", {"pay_cents": 50000, "bonus_cents": 5000}),
        ("wallet.payment_taken", {"amount_cents": 11000, "order_ref": "ORDER-1"}),
        ("wallet.payment_refunded", {"amount_cents": 1000}),
        # what is left of it leaves the wallet: 55,000 - 11,000 + 1,000
        ("wallet.topup_refunded", got[3][1]),
    ]
    back = got[3][1]
    assert back["chargeback"] is False and back["principal_cents"] + back["bonus_cents"] == 45000


def test_refused_and_duplicate_wallet_changes_write_no_event(app):
    m = factories.member()
    topped_up(m.id, 10000, 0)
    spent = pay(m.id, 3000, "ORDER-1")
    before = events(m.id)
    with pytest.raises(DomainError):
        pay(m.id, 999999)  # more than the balance
    with pytest.raises(DomainError):
        pay(m.id, 1000, "ORDER-1")  # the same order again
    with pytest.raises(DomainError):
        refund(spent.id, 5000)  # more than was paid
    refund(spent.id, 1000, "R-1")
    with pytest.raises(DomainError):
        refund(spent.id, 1000, "R-1")  # the same refund again
    assert events(m.id) == [*before, ("wallet.payment_refunded", {"amount_cents": 1000})]


def test_a_dispute_freezes_the_wallet_and_tells_the_member_once(app):
    m = factories.member()
    topup = topped_up(m.id, 10000, 0)
    event = {
        "type": "charge.dispute.created",
        "data": {"object": {"id": "dp_1", "metadata": {"wallet_topup_id": str(topup.id)}}},
    }
    assert wallet_payments.handle_event(event, now=T0)[0] == "applied"
    assert wallet_payments.handle_event(event, now=T0)[0] == "no_change"
    assert _kinds(m.id, "wallet.frozen") == ["wallet.frozen"]


# --- what the member sees --------------------------------------------------------------------


def test_the_member_reads_coupon_and_wallet_events_in_zh_and_en(member_web):
    tier_coupons()
    m = member_web.member
    coupons.issue_tier_coupons(m.id, utcnow())
    topped_up(m.id, 50000, 5000, now=utcnow())
    dispatch.dispatch_all(utcnow())
    assert {kind for kind, _ in inbox(m.id)} >= {"coupon.issued", "wallet.topup_credited"}
    en = member_web.get("/notifications/", headers={"Accept-Language": "en"})
    en = en.get_data(as_text=True)
    assert "New coupon: 8 off orders of 79" in en and "Top-up of CN¥500.00 credited" in en, en
    zh = member_web.get("/notifications/", headers={"Accept-Language": "zh"})
    zh = zh.get_data(as_text=True)
    assert "新优惠券：满79减8" in zh and "充值 ¥500.00 已到账" in zh, zh
