"""The outbox: an event is written with its change, in the same transaction, and only then."""

from datetime import timedelta

import pytest
import time_machine

from memberportal.core.actors import SystemActor
from memberportal.core.errors import DomainError
from memberportal.notifications import dispatch, services
from memberportal.points import ledger
from memberportal.tiers import services as tiers
from tests import factories
from tests.notifications.helpers import deliveries, events, inbox
from tests.points_helpers import T0, earn

ACTOR = SystemActor(audit_label="test")


def test_expiry_warning_within_the_window_once_then_expired(app):
    m = factories.member()
    earn(m.id, 40, days=40)  # lapses 40 days after T0
    earn(m.id, 60, days=200)
    runner = app.test_cli_runner()
    with time_machine.travel(T0 + timedelta(days=5), tick=False):  # 35 days before: outside
        assert "Wrote 0 expiry warnings." in runner.invoke(args=["points", "expire"]).output
    with time_machine.travel(T0 + timedelta(days=11), tick=False):  # 29 days before: inside
        runner.invoke(args=["points", "expire"])
        runner.invoke(args=["points", "expire"])  # the next run warns no second time
    assert events(m.id) == [
        ("points.expiring", {"points": 40, "expires_on": "2026-04-19"}),
    ]
    with time_machine.travel(T0 + timedelta(days=41), tick=False):
        assert "Expired 1 lots." in runner.invoke(args=["points", "expire"]).output
    assert events(m.id)[-1] == ("points.expired", {"points": 40})


def test_a_failed_change_writes_no_event(app):
    m = factories.member()
    earn(m.id, 10)
    with pytest.raises(DomainError):
        ledger.spend(m.id, 50, kind="redeem", source_type="test", source_id=None,
                     actor=ACTOR, now=T0)  # fmt: skip
    assert events() == []


def test_tier_up_reaches_the_inapp_centre_once(app):
    m = factories.member()
    tiers.add_growth(m.id, 150, kind="spend", cause="purchase", source_type=None,
                     source_id=None, actor=ACTOR, now=T0)  # fmt: skip
    assert [kind for kind, _ in events(m.id)] == ["tier.up"]
    first = dispatch.dispatch_all(T0)
    again = dispatch.dispatch_all(T0)
    assert (first.events, first.inapp, again.events) == (1, 1, 0)
    [(kind, payload)] = inbox(m.id)
    assert kind == "tier.up" and payload["new"]["en"] == "VIP2 Silver"
    # e-mail is on by default but this member has only a phone; texts are off by default
    assert [d.channel for d in deliveries()] == ["inapp"]


def test_channel_choices_decide_the_deliveries(app):
    m = factories.member("li@example.com")
    services.save_choices(m.id, {("tier", "inapp"): False, ("tier", "sms"): False}, "en")
    tiers.add_growth(m.id, 150, kind="spend", cause="purchase", source_type=None,
                     source_id=None, actor=ACTOR, now=T0)  # fmt: skip
    done = dispatch.dispatch_all(T0)
    assert inbox(m.id) == [] and done.inapp == 0
    assert [(d.channel, d.status) for d in deliveries()] == [("email", "pending")]
    assert done.outgoing == [deliveries()[0].id]


def test_mark_read_touches_only_the_members_own(app):
    a, b = factories.member(), factories.member()
    for m in (a, b):
        tiers.add_growth(m.id, 150, kind="spend", cause="purchase", source_type=None,
                         source_id=None, actor=ACTOR, now=T0)  # fmt: skip
    dispatch.dispatch_all(T0)
    from memberportal.notifications.queries import notifications_for_member, unread_count

    b_row = notifications_for_member(b.id)[0]
    assert services.mark_read(a.id, now=T0, notification_id=b_row.id) == 0
    assert (unread_count(a.id), unread_count(b.id)) == (1, 1)
    assert services.mark_read(a.id, now=T0) == 1
    assert (unread_count(a.id), unread_count(b.id)) == (0, 1)


def test_mall_order_ready_shipped_and_cancelled_events(app):
    from memberportal.core.clock import utcnow
    from memberportal.mall import services as mall
    from tests.mall_helpers import redeem, rich_member

    m = rich_member(1000)
    pickup = redeem(m.id, factories.mall_item(points_price=100).id)
    shipped = redeem(m.id, factories.mall_item(points_price=100, kind="shipped").id)
    mall.ship(shipped.id, "SF Express", "SF123", actor=ACTOR, now=utcnow())
    mall.cancel(pickup.id, actor=ACTOR, now=utcnow(), reason="changed mind")
    with pytest.raises(DomainError):  # a refused move writes no event
        mall.ship(shipped.id, "SF Express", "SF124", actor=ACTOR, now=utcnow())
    got = [(kind, p.get("order_id"), p.get("tracking_no")) for kind, p in events(m.id)]
    assert got == [
        ("mall.order_ready", pickup.id, None),
        ("mall.order_shipped", shipped.id, "SF123"),
        ("mall.order_cancelled", pickup.id, None),
    ]
