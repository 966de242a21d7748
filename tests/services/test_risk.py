"""Risk use cases on a real database: thresholds, the scan's rules at their edges, brand-local
days, idempotent rescans, the watermark, reviews, and freezing a member's points."""

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from memberportal.audit.models import AuditEntry
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.errors import AccountFrozen, InsufficientPoints
from memberportal.purchases.services import record_refund
from memberportal.risk import freezes, services
from memberportal.risk.errors import (
    AlreadyFrozen,
    FlagAlreadyReviewed,
    FlagNotFound,
    NoteRequired,
    NotFrozen,
    ReasonRequired,
    ThresholdOutOfRange,
)
from memberportal.risk.models import RiskRules, RiskScan
from tests import factories
from tests.mall_helpers import balance, order_count, redeem, rich_member, stock
from tests.points_helpers import ACTOR, earn, spend
from tests.risk_helpers import AFTER_MIDNIGHT, LATE, NOON, buy, flags


def audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --- thresholds ---------------------------------------------------------------------------


def test_thresholds_default_until_the_owner_saves_them():
    limits = services.thresholds()
    assert (limits.big_purchase_cents, limits.daily_purchases, limits.refund_rate_pct) == (
        500_000, 8, 50,
    )  # fmt: skip
    services.update_thresholds(
        big_purchase_cents=100_000, daily_purchases=3, refund_rate_pct=30, actor=ACTOR, now=NOON
    )
    db.session.expire_all()
    saved = db.session.get(RiskRules, 1)
    assert (saved.big_purchase_cents, saved.daily_purchases, saved.refund_rate_pct) == (
        100_000, 3, 30,
    )  # fmt: skip
    [entry] = audits("risk.rules_changed")
    assert entry.details["before"]["big_purchase_cents"] == 500_000
    assert entry.details["after"]["daily_purchases"] == 3


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"big_purchase_cents": 99}, "big_purchase"),
        ({"big_purchase_cents": 100_000_001}, "big_purchase"),
        ({"daily_purchases": 0}, "daily_purchases"),
        ({"daily_purchases": 1001}, "daily_purchases"),
        ({"refund_rate_pct": 0}, "refund_rate_pct"),
        ({"refund_rate_pct": 100}, "refund_rate_pct"),
    ],
)
def test_out_of_range_thresholds_name_the_field_and_change_nothing(values, field):
    given = {"big_purchase_cents": 500_000, "daily_purchases": 8, "refund_rate_pct": 50, **values}
    with pytest.raises(ThresholdOutOfRange) as raised:
        services.update_thresholds(**given, actor=ACTOR, now=NOON)
    assert raised.value.field == field
    assert db.session.get(RiskRules, 1) is None
    assert audits("risk.rules_changed") == []


@pytest.mark.parametrize(
    "column", [("big_purchase_cents", 0), ("daily_purchases", 0), ("refund_rate_pct", 101)]
)
def test_the_database_refuses_insane_thresholds(column):
    from sqlalchemy.exc import IntegrityError

    row = {"id": 1, "big_purchase_cents": 500_000, "daily_purchases": 8, "refund_rate_pct": 50}
    row[column[0]] = column[1]
    with pytest.raises(IntegrityError):
        db.session.execute(insert(RiskRules.__table__).values(row))
        db.session.flush()
    db.session.rollback()


# --- the scan ------------------------------------------------------------------------------


def test_a_purchase_above_the_amount_is_flagged_once():
    member = factories.member()
    buy(member.id, 500_000, NOON)  # exactly ¥5,000: not above
    big = buy(member.id, 500_001, NOON)
    result = services.scan(now=NOON + timedelta(minutes=1))
    assert result.new_flags == 1
    [flag] = flags("big_purchase")
    assert (flag.purchase_id, flag.member_id, flag.amount_cents, flag.threshold) == (
        big, member.id, 500_001, 500_000,
    )  # fmt: skip
    assert flag.status == "open"
    # A rerun, and a rerun reading far back, record nothing new.
    assert services.scan(now=NOON + timedelta(minutes=2)).new_flags == 0
    db.session.execute(RiskScan.__table__.update().values(scanned_until=NOON - timedelta(days=1)))
    db.session.commit()
    assert services.scan(now=NOON + timedelta(minutes=3)).new_flags == 0
    assert len(flags()) == 1


def test_many_purchases_are_counted_per_brand_local_day():
    split, busy = factories.member(), factories.member()
    for i in range(8):
        buy(split.id, 1000, LATE + timedelta(seconds=i))  # 23:30 on 10 March in Shanghai
        buy(busy.id, 1000, LATE + timedelta(seconds=i))
    buy(split.id, 1000, AFTER_MIDNIGHT)  # 00:30 on 11 March there (the same UTC day)
    buy(busy.id, 1000, LATE + timedelta(minutes=29))  # 23:59 on 10 March: a ninth
    assert services.scan(now=AFTER_MIDNIGHT + timedelta(minutes=1)).new_flags == 1
    [flag] = flags("many_purchases")  # 8 and 1 for `split`: never more than 8 in a day
    assert (flag.member_id, flag.day.isoformat(), flag.purchase_count, flag.threshold) == (
        busy.id, "2026-03-10", 9, 8,
    )  # fmt: skip
    assert flag.subject == f"{busy.id}:2026-03-10"


def test_a_growing_day_updates_its_open_flag_not_a_new_one():
    member = factories.member()
    for i in range(9):
        buy(member.id, 1000, NOON + timedelta(minutes=i))
    services.scan(now=NOON + timedelta(minutes=10))
    buy(member.id, 1000, NOON + timedelta(minutes=11))
    assert services.scan(now=NOON + timedelta(minutes=12)).new_flags == 0
    [flag] = flags("many_purchases")
    assert flag.purchase_count == 10
    services.review_flag(flag.id, "Office party order.", actor=ACTOR, now=NOON)
    buy(member.id, 1000, NOON + timedelta(minutes=13))
    services.scan(now=NOON + timedelta(minutes=14))
    [flag] = flags("many_purchases")
    assert (flag.status, flag.purchase_count) == ("reviewed", 10)  # a reviewed flag stays as read


def test_refunds_above_the_rate_are_flagged_per_member_and_day():
    member = factories.member()
    first = buy(member.id, 6000, NOON)
    buy(member.id, 4000, NOON)
    buy(member.id, 90000, NOON - timedelta(days=31))  # outside the 30 days: not in the base
    record_refund(first, 5000, refund_ref=None, actor=ACTOR, now=NOON + timedelta(hours=1))
    services.scan(now=NOON + timedelta(hours=2))
    assert flags("refund_rate") == []  # 5000 of 10000: exactly 50%, not above
    record_refund(first, 1, refund_ref=None, actor=ACTOR, now=NOON + timedelta(hours=3))
    assert services.scan(now=NOON + timedelta(hours=4)).new_flags == 1
    [flag] = flags("refund_rate")
    assert (flag.amount_cents, flag.base_cents, flag.purchase_count, flag.rate_pct) == (
        5001, 10000, 2, 50,
    )  # fmt: skip
    assert flag.day.isoformat() == "2026-03-10"
    record_refund(first, 999, refund_ref=None, actor=ACTOR, now=NOON + timedelta(hours=5))
    services.scan(now=NOON + timedelta(hours=6))
    [flag] = flags("refund_rate")  # the same day: the open flag shows the new figures
    assert (flag.amount_cents, flag.rate_pct) == (6000, 60)


def test_a_refund_rate_flag_is_one_per_brand_local_day_of_detection():
    member = factories.member()
    first = buy(member.id, 10000, NOON)
    record_refund(first, 6000, refund_ref=None, actor=ACTOR, now=LATE)  # 23:30 local
    services.scan(now=LATE + timedelta(minutes=5))  # 23:35 on 10 March
    record_refund(first, 1000, refund_ref=None, actor=ACTOR, now=AFTER_MIDNIGHT)
    services.scan(now=AFTER_MIDNIGHT + timedelta(minutes=5))  # 00:35 on 11 March
    assert [(f.day.isoformat(), f.rate_pct) for f in flags("refund_rate")] == [
        ("2026-03-10", 60),
        ("2026-03-11", 70),
    ]


def test_the_watermark_moves_and_scans_read_only_a_short_overlap_before_it():
    member = factories.member()
    services.scan(now=NOON)
    assert db.session.get(RiskScan, 1).scanned_until == NOON
    late = buy(member.id, 600_000, NOON - timedelta(minutes=5))  # committed after that scan
    old = buy(member.id, 700_000, NOON - timedelta(hours=2))  # before the watermark's overlap
    result = services.scan(now=NOON + timedelta(minutes=1))
    assert result.since == NOON - services.OVERLAP
    assert [f.purchase_id for f in flags("big_purchase")] == [late]
    assert old not in [f.purchase_id for f in flags()]
    db.session.expire_all()
    state = db.session.get(RiskScan, 1)
    assert (state.scanned_until, state.scans) == (NOON + timedelta(minutes=1), 2)
    # The next scan starts its read after the newest purchase older than the overlap.
    assert (state.purchase_floor, state.refund_floor) == (old, 0)
    services.scan(now=NOON - timedelta(hours=1))  # a clock behind never moves it back
    db.session.expire_all()
    assert db.session.get(RiskScan, 1).scanned_until == NOON + timedelta(minutes=1)


def test_the_first_scan_reads_back_thirty_days():
    member = factories.member()
    buy(member.id, 600_000, NOON - timedelta(days=29))
    buy(member.id, 600_000, NOON - timedelta(days=31))
    services.scan(now=NOON)
    assert len(flags("big_purchase")) == 1


def test_new_thresholds_judge_what_arrives_after_them():
    member = factories.member()
    services.update_thresholds(
        big_purchase_cents=10_000, daily_purchases=8, refund_rate_pct=50, actor=ACTOR, now=NOON
    )
    buy(member.id, 10_001, NOON)
    services.scan(now=NOON + timedelta(minutes=1))
    assert [f.threshold for f in flags("big_purchase")] == [10_000]


# --- review --------------------------------------------------------------------------------


def big_flag():
    member = factories.member()
    buy(member.id, 600_000, NOON)
    services.scan(now=NOON + timedelta(minutes=1))
    return flags("big_purchase")[0]


def test_a_manager_reviews_an_open_flag_once():
    flag = big_flag()
    with pytest.raises(NoteRequired):
        services.review_flag(flag.id, "   ", actor=ACTOR, now=NOON)
    with pytest.raises(NoteRequired):
        services.review_flag(flag.id, "x" * 501, actor=ACTOR, now=NOON)
    assert flags()[0].status == "open"
    services.review_flag(flag.id, " Wedding order, receipt seen. ", actor=ACTOR, now=NOON)
    [flag] = flags()
    assert (flag.status, flag.review_note, flag.reviewed_by) == (
        "reviewed", "Wedding order, receipt seen.", "test",
    )  # fmt: skip
    with pytest.raises(FlagAlreadyReviewed):
        services.review_flag(flag.id, "Again.", actor=ACTOR, now=NOON)
    with pytest.raises(FlagNotFound):
        services.review_flag(flag.id + 100, "Nothing.", actor=ACTOR, now=NOON)
    [entry] = audits("risk.flag_reviewed")
    assert (entry.subject_id, entry.reason, entry.details["rule"]) == (
        flag.id, "Wedding order, receipt seen.", "big_purchase",
    )  # fmt: skip
    assert flags()[0].review_note == "Wedding order, receipt seen."


# --- freeze --------------------------------------------------------------------------------


def test_a_frozen_member_cannot_spend_but_still_earns():
    member = factories.member()
    earn(member.id, 500)
    freezes.freeze_member(member.id, "Refunds after redeeming.", actor=ACTOR, now=NOON)
    with pytest.raises(AccountFrozen) as raised:
        spend(member.id, 100)  # staff or system: the staff wording
    assert (
        str(raised.value.message)
        == str(AccountFrozen.staff_message)
        == "该会员账户已冻结待审核：不能使用积分。"
    )
    db.session.rollback()
    buy(member.id, 10000, NOON)  # earning goes on: +100 points
    db.session.expire_all()
    frozen = db.session.get(Member, member.id)
    assert (frozen.points_balance, frozen.frozen_reason) == (600, "Refunds after redeeming.")
    with pytest.raises(AlreadyFrozen):
        freezes.freeze_member(member.id, "Again.", actor=ACTOR, now=NOON)
    freezes.unfreeze_member(member.id, actor=ACTOR, now=NOON)
    spend(member.id, 100)
    assert balance(member.id) == 500
    with pytest.raises(NotFrozen):
        freezes.unfreeze_member(member.id, actor=ACTOR, now=NOON)
    [frozen_audit] = audits("risk.member_frozen")
    [unfrozen_audit] = audits("risk.member_unfrozen")
    assert frozen_audit.reason == "Refunds after redeeming."
    assert unfrozen_audit.details["frozen_for"] == "Refunds after redeeming."


def test_freezing_needs_a_reason_and_a_member():
    member = factories.member()
    with pytest.raises(ReasonRequired):
        freezes.freeze_member(member.id, "  ", actor=ACTOR, now=NOON)
    from memberportal.points.errors import UnknownMember

    with pytest.raises(UnknownMember):
        freezes.freeze_member(member.id + 100, "Why.", actor=ACTOR, now=NOON)
    db.session.expire_all()
    assert db.session.get(Member, member.id).frozen_at is None
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "risk.member_frozen")) == 0  # fmt: skip


def test_a_frozen_members_redemption_is_refused_with_the_stores_words():
    member = rich_member(1000)
    item = factories.mall_item(points_price=300, stock=5)
    freezes.freeze_member(member.id, "Under review.", actor=ACTOR, now=NOON)
    with pytest.raises(AccountFrozen) as raised:
        redeem(member.id, item.id)  # placed by the member
    assert str(raised.value.message) == "您的账户正在审核中，请联系门店。"  # the zh default
    assert (balance(member.id), stock(item.id), order_count()) == (1000, 5, 0)


def test_a_member_short_of_points_and_not_frozen_still_hears_not_enough_points():
    member = factories.member()
    with pytest.raises(InsufficientPoints):
        spend(member.id, 1)
