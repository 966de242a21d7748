"""Referrals: recorded once per new member, never self, unknown codes ignored; the referrer
earns points valid 6 months (brand zone) and share growth within the interaction cap."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from memberportal.audit.models import AuditEntry
from memberportal.extensions import db
from memberportal.members import services as member_services
from memberportal.members.models import Member
from memberportal.members.rules import CONSENT_VERSION
from memberportal.points.models import LedgerEntry
from memberportal.points.queries import ledger_mismatches
from memberportal.points.services import update_program_rules
from memberportal.referrals.models import Referral
from memberportal.referrals.services import record_referral
from memberportal.tiers.models import GrowthEntry
from tests import factories
from tests.points_helpers import ACTOR, T0


@pytest.fixture(autouse=True)
def _paid_at_once():
    """These tests describe a program that pays the referrer on joining and gives the new
    member nothing (tests/services/test_referral_farming.py covers the held rewards)."""
    update_program_rules(
        actor=ACTOR, now=T0, referral_hold_until_purchase=False, referral_welcome_points=0
    )


def member_row(member_id: int) -> Member:
    db.session.expire_all()
    return db.session.get(Member, member_id)


def referral_count() -> int:
    return db.session.scalar(select(func.count(Referral.id)))


def test_registering_with_a_code_credits_the_referrer_once():
    referrer = factories.member()
    friend = factories.member(contact="13900009999")
    assert referral_count() == 0
    joined = member_services.register(
        "新朋友",
        "13811112222",
        factories.PASSWORD,
        referred_by=f" {referrer.member_no} ",
        consent_version=CONSENT_VERSION,
    )
    again = record_referral(referrer.member_no, joined.id, actor=ACTOR, now=T0)
    assert again is None and referral_count() == 1
    row = db.session.scalars(select(Referral)).one()
    assert (row.referrer_id, row.referred_id, row.points, row.growth) == (
        referrer.id, joined.id, 100, 10,
    )  # fmt: skip
    after = member_row(referrer.id)
    assert (after.points_balance, after.growth_interaction, after.growth) == (100, 10, 10)
    assert member_row(joined.id).points_balance == 0
    assert member_row(friend.id).points_balance == 0
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "member.referred"))
    assert [a.subject_id for a in audit] == [referrer.id]
    assert ledger_mismatches() == []


def test_self_referral_and_unknown_codes_are_ignored():
    m = factories.member()
    assert record_referral(m.member_no, m.id, actor=ACTOR, now=T0) is None
    for code in ("", None, "0000000000", "x" * 200):
        other = factories.member()
        assert record_referral(code, other.id, actor=ACTOR, now=T0) is None
    assert referral_count() == 0
    assert member_row(m.id).points_balance == 0


def test_referral_points_expire_six_months_later_at_the_end_of_the_shanghai_day():
    referrer, friend = factories.member(), factories.member()
    late = datetime(2026, 3, 10, 17, 30, tzinfo=UTC)  # 01:30 on 11 March in Shanghai
    record_referral(referrer.member_no, friend.id, actor=ACTOR, now=late)
    lot = db.session.scalars(
        select(LedgerEntry).where(
            LedgerEntry.member_id == referrer.id, LedgerEntry.entry_type == "earn"
        )
    ).one()
    assert (lot.lot_amount, lot.remaining) == (100, 100)
    expected = datetime(2026, 9, 11, 15, 59, 59, 999999, tzinfo=UTC)  # 23:59:59 11 Sep +08
    assert lot.expires_at.replace(tzinfo=UTC) == expected
    entry = db.session.scalars(select(LedgerEntry).where(LedgerEntry.member_id == referrer.id))
    assert [(e.entry_type, e.kind, e.points) for e in entry] == [("earn", "referral", 100)]
    assert ledger_mismatches() == []


def test_share_growth_counts_only_up_to_the_interaction_cap():
    update_program_rules(actor=ACTOR, now=T0, share_growth=50, referral_points=30)
    referrer = factories.member()
    for _ in range(3):
        record_referral(referrer.member_no, factories.member().id, actor=ACTOR, now=T0)
    row = member_row(referrer.id)
    # VIP2 needs 150; interactions count up to 40% of it: 60 of the 150 recorded.
    assert (row.points_balance, row.growth_interaction, row.growth) == (90, 150, 60)
    assert row.tier.code == "VIP1"
    causes = db.session.scalars(select(GrowthEntry.cause).where(GrowthEntry.kind == "interaction"))
    assert list(causes) == ["share"] * 3
    assert ledger_mismatches() == []


def test_no_points_or_growth_configured_still_records_the_referral():
    update_program_rules(actor=ACTOR, now=T0, share_growth=0, referral_points=0)
    referrer, friend = factories.member(), factories.member()
    assert record_referral(referrer.member_no, friend.id, actor=ACTOR, now=T0) is not None
    row = member_row(referrer.id)
    assert (row.points_balance, row.growth_interaction, referral_count()) == (0, 0, 1)


def test_staff_pages_of_referrals_keep_ties_in_order_and_lose_none():
    from memberportal.referrals.queries import count_referrals, referrals_page, referred_by

    referrer = factories.member()
    friends = [factories.member() for _ in range(5)]
    for friend in friends:  # all at one moment: the id breaks the tie
        record_referral(referrer.member_no, friend.id, actor=ACTOR, now=T0)
    seen, before = [], None
    while page := referrals_page(before_id=before, limit=2):
        seen += [row.referred_id for row in page]
        before = page[-1].id
    assert seen == [f.id for f in reversed(friends)]
    assert count_referrals() == 5 and count_referrals(friends[0].member_no) == 1
    assert referred_by(referrer.id) == 5 and referred_by(friends[0].id) == 0
