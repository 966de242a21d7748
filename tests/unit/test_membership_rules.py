"""Pure membership rules over Stripe's published object shapes."""

from datetime import UTC, datetime, timedelta

import pytest

from memberportal.memberships import rules
from memberportal.payments.demo_gateway import add_interval
from memberportal.payments.stripe_events import packaged_shapes
from tests.webhooks.stripe_sim import shapes


@pytest.mark.parametrize(
    "start, interval, end",
    [
        (datetime(2026, 1, 31, tzinfo=UTC), "month", datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2026, 12, 15, tzinfo=UTC), "month", datetime(2027, 1, 15, tzinfo=UTC)),
        (datetime(2028, 2, 29, tzinfo=UTC), "year", datetime(2029, 2, 28, tzinfo=UTC)),
        (datetime(2026, 5, 1, 8, tzinfo=UTC), "year", datetime(2027, 5, 1, 8, tzinfo=UTC)),
    ],
)
def test_add_interval(start, interval, end):
    assert add_interval(start, interval) == end


@pytest.mark.parametrize(
    "stripe_status, ours",
    [
        ("active", "active"),
        ("trialing", "trialing"),
        ("past_due", "past_due"),
        ("unpaid", "ended"),
        ("canceled", "ended"),
        ("incomplete_expired", "ended"),
        ("incomplete", None),
        ("paused", None),
    ],
)
def test_subscription_state_reads_periods_from_items(stripe_status, ours):
    sub = shapes().subscription(
        sub_id="sub_1",
        customer="cus_1",
        status=stripe_status,
        start=1_800_000_000,
        end=1_831_536_000,
        unit_amount=19900,
        metadata={"member_id": "7", "plan_code": "SVIP"},
    )
    state = rules.subscription_state(sub)
    assert state.status == ours
    assert state.period_end == datetime.fromtimestamp(1_831_536_000, UTC)
    assert (state.member_id, state.plan_code, state.renewal_amount_cents) == (7, "SVIP", 19900)


def test_invoice_parent_names_the_subscription():
    inv = shapes().invoice(
        invoice_id="in_1",
        customer="cus_1",
        subscription="sub_1",
        amount=9900,
        start=1,
        end=2,
        paid=True,
    )
    assert rules.invoice_subscription_id(inv) == "sub_1"
    assert rules.invoice_period(inv)[1] == datetime.fromtimestamp(2, UTC)
    # Stripe's own sample is a quote invoice: not a subscription's.
    assert rules.invoice_subscription_id(packaged_shapes()["invoice"]) is None


@pytest.mark.parametrize(
    "status, outcome",
    [("won", "won"), ("warning_closed", "won"), ("lost", "lost"), ("needs_response", None)],
)
def test_dispute_outcome(status, outcome):
    assert rules.dispute_outcome(status) == outcome


def test_refund_of_current_period_and_grace():
    end = datetime(2027, 5, 1, tzinfo=UTC)
    assert rules.covers_current_period(end, end)
    assert not rules.covers_current_period(end - timedelta(days=365), end)
    assert rules.entitled_until(end) == end + timedelta(days=1)
    assert rules.is_full_refund({"amount": 9900, "amount_refunded": 9900, "refunded": True})
    assert not rules.is_full_refund({"amount": 9900, "amount_refunded": 100, "refunded": False})
