"""Coupon use cases on a real database: issue once, expiry, write-off once, templates."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from memberportal.audit.models import AuditEntry
from memberportal.core.errors import NotFound
from memberportal.core.money import InvalidAmount
from memberportal.coupons import services, template_services
from memberportal.coupons.errors import (
    CouponAlreadyUsed,
    CouponExpired,
    CouponUnknown,
    SpendBelowThreshold,
    TemplateRuleBroken,
)
from memberportal.coupons.models import CouponTemplate
from memberportal.extensions import db
from tests import factories
from tests.coupon_helpers import (
    ACTOR,
    coupon_count,
    coupons_of,
    move_to_tier,
    template,
    tier_coupons,
)

T0 = datetime(2027, 3, 1, 4, 0, tzinfo=UTC)  # 12:00 on 1 March in Shanghai


def actions(prefix: str) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.like(prefix + "%"))
            .order_by(AuditEntry.id)
        )
    )


def test_a_new_member_gets_the_vip1_coupon_once():
    tier_coupons()
    member = factories.member()
    first = services.issue_tier_coupons(member.id, T0)
    again = services.issue_tier_coupons(member.id, T0 + timedelta(days=3))
    assert len(first) == 1 and again == []
    (coupon,) = coupons_of(member.id)
    assert (coupon.amount_cents, coupon.min_spend_cents, coupon.state) == (800, 7900, "issued")
    assert coupon.template.name_zh == "满79减8" and coupon.reason_key == "tier"
    assert actions("coupon.") == ["coupon.issued"]


def test_expiry_is_the_end_of_the_last_valid_day_in_the_brand_zone():
    tier_coupons()
    member = factories.member()
    services.issue_tier_coupons(member.id, T0)
    (coupon,) = coupons_of(member.id)
    # 30 days counting 1 March: valid through 30 March, 23:59:59 in Shanghai.
    assert coupon.expires_at == datetime(2027, 3, 30, 15, 59, 59, 999999, tzinfo=UTC)


def test_reaching_vip3_issues_the_coupons_of_every_tier_up_to_it():
    ids = tier_coupons()
    member = factories.member()
    services.issue_tier_coupons(member.id, T0)
    move_to_tier(member.id, "VIP3")
    new = services.issue_tier_coupons(member.id, T0)
    assert len(new) == 2
    held = {c.template_id: c.amount_cents for c in coupons_of(member.id)}
    assert held == {ids["VIP1"]: 800, ids["VIP2"]: 1500, ids["VIP3"]: 2500}
    # Dropping back a tier later neither takes coupons back nor issues them again.
    move_to_tier(member.id, "VIP2")
    move_to_tier(member.id, "VIP3")
    assert services.issue_tier_coupons(member.id, T0) == [] and len(coupons_of(member.id)) == 3


def test_an_inactive_template_is_not_issued_but_coupons_held_stay():
    ids = tier_coupons()
    member = factories.member()
    services.issue_tier_coupons(member.id, T0)
    template_services.set_template_active(ids["VIP2"], False, actor=ACTOR, now=T0)
    template_services.set_template_active(ids["VIP1"], False, actor=ACTOR, now=T0)
    move_to_tier(member.id, "VIP2")
    assert services.issue_tier_coupons(member.id, T0) == []
    assert [c.amount_cents for c in coupons_of(member.id)] == [800]
    services.write_off(coupons_of(member.id)[0].code, order_cents=7900, actor=ACTOR, now=T0)


def test_the_cli_job_issues_for_every_member_in_batches_and_reruns_as_a_no_op(app):
    tier_coupons()
    members = [factories.member() for _ in range(5)]
    move_to_tier(members[0].id, "VIP4")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["coupons", "issue-tier", "--batch", "2"])
    assert "Issued 8 tier coupons." in first.output, first.output
    second = runner.invoke(args=["coupons", "issue-tier"])
    assert "Issued 0 tier coupons." in second.output
    assert coupon_count() == 8 and len(coupons_of(members[0].id)) == 4


def test_write_off_once_then_already_used():
    tier_coupons()
    member = factories.member()
    services.issue_tier_coupons(member.id, T0)
    (coupon,) = coupons_of(member.id)
    typed = coupon.display_code.lower()  # a cashier types it with the space, in lower case
    used = services.write_off(typed, order_cents=9950, actor=ACTOR, now=T0 + timedelta(days=2))
    assert used.id == coupon.id and used.state == "used" and used.used_by == "test"
    assert used.used_on_cents == 9950
    with pytest.raises(CouponAlreadyUsed) as error:
        services.write_off(coupon.code, order_cents=9950, actor=ACTOR, now=T0 + timedelta(days=3))
    assert str(error.value.message) == "此优惠券已被使用。"  # Chinese outside a request
    (after,) = coupons_of(member.id)
    assert after.used_at == T0 + timedelta(days=2)
    assert actions("coupon.") == ["coupon.issued", "coupon.written_off"]


def test_an_expired_coupon_cannot_be_written_off():
    tier_coupons()
    member = factories.member()
    services.issue_tier_coupons(member.id, T0)
    (coupon,) = coupons_of(member.id)
    last_moment = coupon.expires_at
    late = last_moment + timedelta(microseconds=1)
    with pytest.raises(CouponExpired):
        services.write_off(coupon.code, order_cents=10000, actor=ACTOR, now=late)
    with pytest.raises(CouponExpired):  # expired says expired, whatever the amount
        services.write_off(coupon.code, order_cents=100, actor=ACTOR, now=late)
    assert coupons_of(member.id)[0].state == "issued"
    in_time = last_moment - timedelta(seconds=1)
    services.write_off(coupon.code, order_cents=10000, actor=ACTOR, now=in_time)
    assert coupons_of(member.id)[0].state == "used"


def test_unknown_codes_and_another_members_coupon_are_refused():
    tier_coupons()
    owner, other = factories.member(), factories.member()
    services.issue_tier_coupons(owner.id, T0)
    (coupon,) = coupons_of(owner.id)
    for code in ("", "   ", "ZZZZZ99999"):
        with pytest.raises(CouponUnknown):
            services.write_off(code, order_cents=10000, actor=ACTOR, now=T0)
    with pytest.raises(CouponUnknown):
        services.write_off(coupon.code, order_cents=10000, actor=ACTOR, now=T0, member_id=other.id)
    assert coupons_of(owner.id)[0].state == "issued" and actions("coupon.written") == []


def test_template_settings_are_checked_and_nothing_is_written():
    cases = [
        ({"amount_cents": 0}, "amount"),
        ({"min_spend_cents": 800}, "threshold"),
        ({"valid_days": 0}, "valid_days"),
        ({"name_en": "  "}, "name"),
        ({"tier_id": 999999}, "tier"),
        ({"source": "gift"}, "source"),
        ({"source": "paid", "tier_id": factories.tier("VIP1").id}, "paid_tier"),
        ({"per_quarter": True}, "quarterly"),
    ]
    for change, field in cases:
        with pytest.raises(TemplateRuleBroken) as error:
            template(**change)
        assert error.value.details["field"] == field
    assert db.session.scalars(select(CouponTemplate)).all() == []
    assert actions("coupon_template.") == []


def test_editing_a_template_leaves_coupons_held_as_issued():
    created = template(tier_id=factories.tier("VIP1").id)
    member = factories.member()
    services.issue_tier_coupons(member.id, T0)
    template_services.update_template(
        created.id,
        template_services.TemplateInput("满99减10", "10 off 99", 1000, 9900, 10, created.tier_id),
        actor=ACTOR,
        now=T0,
    )
    (coupon,) = coupons_of(member.id)
    assert (coupon.amount_cents, coupon.min_spend_cents) == (800, 7900)
    assert coupon.template.name_en == "10 off 99"
    assert actions("coupon_template.") == ["coupon_template.created", "coupon_template.updated"]
    with pytest.raises(NotFound):
        template_services.set_template_active(999999, False, actor=ACTOR, now=T0)


def test_the_database_refuses_what_the_rules_refuse():
    created = template()
    member = factories.member()
    bad = [
        "UPDATE coupon_templates SET amount_cents = 0",
        "UPDATE coupon_templates SET min_spend_cents = 500",
        "UPDATE coupon_templates SET source = 'gift'",
        "UPDATE coupon_templates SET per_quarter = TRUE",
        "UPDATE coupon_templates SET source = 'paid', tier_id = (SELECT min(id) FROM tiers)",
    ]
    for statement in bad:
        with pytest.raises(Exception, match="(?i)check"):
            db.session.execute(text(statement))
        db.session.rollback()
    services.issue_tier_coupons(member.id, T0)  # no tier: nothing issued
    assert coupons_of(member.id) == [] and created.active


def vip2_coupon(member_id: int):
    """The member at VIP2 with '15 off 169' (and VIP1's '8 off 79'): the 169 one."""
    move_to_tier(member_id, "VIP2")
    services.issue_tier_coupons(member_id, T0)
    return next(c for c in coupons_of(member_id) if c.min_spend_cents == 16900)


def test_an_order_below_the_minimum_spend_is_refused_and_the_coupon_stays_usable():
    tier_coupons()
    member = factories.member()
    coupon = vip2_coupon(member.id)
    with pytest.raises(SpendBelowThreshold) as error:
        services.write_off(coupon.code, order_cents=12000, actor=ACTOR, now=T0)
    assert str(error.value.message) == "此优惠券需满 ¥169.00 方可使用；本单金额为 ¥120.00。"
    with pytest.raises(SpendBelowThreshold):
        services.write_off(coupon.code, order_cents=16899, actor=ACTOR, now=T0)
    after = next(c for c in coupons_of(member.id) if c.id == coupon.id)
    assert (after.state, after.used_at, after.used_on_cents) == ("issued", None, None)
    assert actions("coupon.written") == []
    # The same coupon, on an order of exactly the threshold, is honoured.
    used = services.write_off(coupon.code, order_cents=16900, actor=ACTOR, now=T0)
    assert (used.state, used.used_on_cents) == ("used", 16900)
    audit = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "coupon.written_off")
    ).one()
    assert audit.details["order_cents"] == 16900 and audit.details["amount_cents"] == 1500


def test_a_no_threshold_coupon_takes_any_positive_order_amount():
    tier_coupons()
    member = factories.member()
    move_to_tier(member.id, "VIP3")
    services.issue_tier_coupons(member.id, T0)
    free = next(c for c in coupons_of(member.id) if c.min_spend_cents == 0)
    for bad in (0, -500):
        with pytest.raises(InvalidAmount):
            services.write_off(free.code, order_cents=bad, actor=ACTOR, now=T0)
    used = services.write_off(free.code, order_cents=1, actor=ACTOR, now=T0)
    assert (used.amount_cents, used.state, used.used_on_cents) == (2500, "used", 1)


def test_the_database_refuses_a_use_below_the_threshold():
    tier_coupons()
    member = factories.member()
    services.issue_tier_coupons(member.id, T0)
    (coupon,) = coupons_of(member.id)  # 8 off 79
    bad = [
        "UPDATE coupons SET state = 'used', used_at = issued_at, used_on_cents = 7899",
        "UPDATE coupons SET used_on_cents = 7900",  # an amount on an unused coupon
    ]
    for statement in bad:
        with pytest.raises(Exception, match="(?i)check"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert coupons_of(member.id)[0].state == "issued"
