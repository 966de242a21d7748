"""Paid-card (SVIP) coupons: once per paid period, once per brand-local quarter, only while
the card is active."""

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from memberportal.audit.models import AuditEntry
from memberportal.core.clock import utcnow
from memberportal.coupons import services, template_services
from memberportal.extensions import db
from tests import factories
from tests.coupon_helpers import ACTOR, coupons_of, paid_card, paid_coupons, set_card

START = datetime(2027, 3, 20, 4, 0, tzinfo=UTC)  # noon, 20 March, in Shanghai
YEAR = timedelta(days=366)
LATE_Q1 = datetime(2027, 3, 31, 15, 30, tzinfo=UTC)  # 23:30 on 31 March in Shanghai
EARLY_Q2 = datetime(2027, 3, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 April in Shanghai


def end_of(day: str) -> datetime:
    """The last instant of a Shanghai day, in UTC."""
    y, m, d = map(int, day.split("-"))
    return datetime(y, m, d, 15, 59, 59, 999999, tzinfo=UTC)


def held(member_id: int) -> list[tuple[int, str, datetime]]:
    return [(c.amount_cents, c.reason_key, c.expires_at) for c in coupons_of(member_id)]


def issue_at(moment: datetime, member_id: int) -> list[int]:
    with time_machine.travel(moment, tick=False):
        return services.issue_coupons(member_id, utcnow())


def test_the_50_once_per_period_and_the_quarterly_once_per_brand_quarter():
    ids = paid_coupons()
    member = factories.member()
    card = paid_card(member.id, START, START + YEAR)
    issue_at(LATE_Q1, member.id)  # also VIP1's tier coupon
    assert issue_at(LATE_Q1 + timedelta(minutes=5), member.id) == []
    paid = [c for c in coupons_of(member.id) if c.from_paid_card]
    assert [(c.template_id, c.amount_cents, c.min_spend_cents) for c in paid] == [
        (ids["once"], 5000, 0),
        (ids["quarterly"], 3000, 19900),
    ]
    # The quarterly one ends with Q1 (31 March in Shanghai), before its 92 days are up.
    assert held(member.id)[1:] == [
        (5000, f"paid:{card}:2027-03-20", end_of("2027-06-28")),
        (3000, f"paid:{card}:2027Q1", end_of("2027-03-31")),
    ]
    # One hour later it is 1 April in Shanghai (still 31 March in UTC): a new quarter.
    assert len(issue_at(EARLY_Q2, member.id)) == 1
    assert held(member.id)[3] == (3000, f"paid:{card}:2027Q2", end_of("2027-06-30"))
    assert issue_at(datetime(2027, 6, 30, 15, 0, tzinfo=UTC), member.id) == []
    assert len(issue_at(datetime(2027, 6, 30, 16, 0, tzinfo=UTC), member.id)) == 1  # Q3
    reasons = db.session.scalars(
        select(AuditEntry.reason).where(AuditEntry.action == "coupon.issued")
    ).all()
    assert reasons == ["tier", *(f"paid:{card}:{k}" for k in ("2027-03-20", "2027Q1"))] + [
        f"paid:{card}:2027Q2",
        f"paid:{card}:2027Q3",
    ]


def test_a_renewal_starts_a_new_period_but_not_a_second_coupon_in_the_quarter():
    paid_coupons()
    member = factories.member()
    card = paid_card(member.id, START, START + YEAR)
    first = datetime(2028, 3, 10, 4, 0, tzinfo=UTC)
    issue_at(first, member.id)
    renewed_from = START + YEAR
    set_card(card, current_period_start=renewed_from, current_period_end=renewed_from + YEAR)
    new = issue_at(first + timedelta(days=15), member.id)
    assert [c.reason_key for c in coupons_of(member.id) if c.id in new] == [
        f"paid:{card}:2028-03-20"
    ]
    assert sorted(c.reason_key for c in coupons_of(member.id) if c.from_paid_card) == [
        f"paid:{card}:2027-03-20",
        f"paid:{card}:2028-03-20",
        f"paid:{card}:2028Q1",
    ]


def test_nothing_without_an_active_card_or_after_revocation():
    paid_coupons()
    nobody, lapsed, revoked = factories.member(), factories.member(), factories.member()
    paid_card(lapsed.id, START - YEAR, START - timedelta(days=2), status="ended")
    card = paid_card(revoked.id, START, START + YEAR)
    issue_at(LATE_Q1, revoked.id)
    set_card(card, status="revoked")
    for member in (nobody, lapsed, revoked):
        issue_at(EARLY_Q2, member.id)
        issue_at(datetime(2027, 8, 1, 4, 0, tzinfo=UTC), member.id)
    assert [c.from_paid_card for c in coupons_of(nobody.id)] == [False]
    assert [c.from_paid_card for c in coupons_of(lapsed.id)] == [False]
    # What the revoked member already held stays theirs and usable; nothing new arrives.
    kept = [c for c in coupons_of(revoked.id) if c.from_paid_card]
    assert [c.reason_key for c in kept] == [f"paid:{card}:2027-03-20", f"paid:{card}:2027Q1"]
    used = services.write_off(kept[0].code, order_cents=100, actor=ACTOR, now=EARLY_Q2)
    assert used.state == "used"


def test_an_inactive_paid_template_is_not_issued():
    ids = paid_coupons()
    member = factories.member()
    paid_card(member.id, START, START + YEAR)
    template_services.set_template_active(ids["quarterly"], False, actor=ACTOR, now=START)
    issue_at(LATE_Q1, member.id)
    assert [c.template_id for c in coupons_of(member.id) if c.from_paid_card] == [ids["once"]]


def test_the_nightly_command_issues_tier_and_paid_coupons_once(app):
    paid_coupons()
    members = [factories.member() for _ in range(3)]
    paid_card(members[1].id, START, START + YEAR)
    runner = app.test_cli_runner()
    with time_machine.travel(LATE_Q1, tick=False):
        first = runner.invoke(args=["coupons", "issue", "--batch", "2"])
        second = runner.invoke(args=["coupons", "issue"])
    assert "Issued 3 tier coupons and 2 paid-card coupons." in first.output, first.output
    assert "Issued 0 tier coupons and 0 paid-card coupons." in second.output
    with time_machine.travel(EARLY_Q2, tick=False):
        third = runner.invoke(args=["coupons", "issue"])
    assert "Issued 0 tier coupons and 1 paid-card coupons." in third.output
    assert [len(coupons_of(m.id)) for m in members] == [1, 4, 1]
