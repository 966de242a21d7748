"""Interaction growth: the daily sign-in and the completed profile, within the interaction cap."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.services import update_program_rules
from memberportal.purchases.services import record_purchase
from memberportal.tiers import interactions
from memberportal.tiers.interactions import AlreadySignedIn, ProfileIncomplete
from memberportal.tiers.models import GrowthEntry, SignIn
from memberportal.tiers.queries import interaction_status
from tests import factories
from tests.points_helpers import ACTOR, T0

# 2026-03-10 in Shanghai runs from 2026-03-09 16:00 UTC to 2026-03-10 16:00 UTC.
LAST_SECOND = datetime(2026, 3, 10, 15, 59, 59, tzinfo=UTC)
MIDNIGHT = datetime(2026, 3, 10, 16, 0, 0, tzinfo=UTC)


def member_row(member_id: int) -> Member:
    db.session.expire_all()
    return db.session.get(Member, member_id)


def sign_in_now(member_id: int):
    return interactions.sign_in(member_id, actor=ACTOR, now=utcnow())


def test_sign_in_grants_the_configured_growth_once_a_day():
    m = factories.member()
    result = interactions.sign_in(m.id, actor=ACTOR, now=T0)
    assert result.growth == 5 and result.tier_changed is None
    with pytest.raises(AlreadySignedIn) as refused:
        interactions.sign_in(m.id, actor=ACTOR, now=T0 + timedelta(hours=3))
    assert refused.value.code == "already_signed_in" and refused.value.status == 422
    row = member_row(m.id)
    assert (row.growth_interaction, row.growth) == (5, 5)
    assert db.session.scalar(select(func.count(GrowthEntry.id))) == 1
    assert interaction_status(m.id, T0).signed_in_today
    assert not interaction_status(m.id, T0 + timedelta(days=1)).signed_in_today


def test_the_day_turns_at_midnight_in_shanghai_not_utc():
    m = factories.member()
    with time_machine.travel(datetime(2026, 3, 9, 16, 0, 0, tzinfo=UTC), tick=False):
        sign_in_now(m.id)  # 00:00 on 10 March in Shanghai (still 9 March in UTC)
    with time_machine.travel(LAST_SECOND, tick=False), pytest.raises(AlreadySignedIn):
        sign_in_now(m.id)  # 23:59:59 on 10 March in Shanghai: the same day
    with time_machine.travel(MIDNIGHT, tick=False):
        sign_in_now(m.id)  # 00:00 on 11 March in Shanghai (still 10 March in UTC)
    with (
        time_machine.travel(MIDNIGHT + timedelta(hours=7), tick=False),
        pytest.raises(AlreadySignedIn),
    ):
        sign_in_now(m.id)
    days = db.session.scalars(select(SignIn.day).order_by(SignIn.day)).all()
    assert days == [date(2026, 3, 10), date(2026, 3, 11)]
    assert member_row(m.id).growth_interaction == 10


def test_interactions_count_only_up_to_their_share_of_the_threshold():
    update_program_rules(actor=ACTOR, now=T0, sign_in_growth=25)
    m = factories.member()
    for day in range(3):
        interactions.sign_in(m.id, actor=ACTOR, now=T0 + timedelta(days=day))
    row = member_row(m.id)
    # 75 recorded, but only 40% of VIP2's 150 (60) counts: still VIP1.
    assert (row.growth_interaction, row.growth, row.tier.code) == (75, 60, "VIP1")
    first = record_purchase(m.id, 8900, "CAP-1", source="till", actor=ACTOR, now=T0)
    assert first.tier_changed is None  # 89 spend + 60 counted = 149
    second = record_purchase(m.id, 100, "CAP-2", source="till", actor=ACTOR, now=T0)
    assert second.tier_changed == "VIP1->VIP2"  # 90 + 60 = 150
    # Towards VIP3 (500) interactions may count up to 200; 75 are in.
    assert member_row(m.id).growth == 90 + 75


def test_no_growth_configured_still_records_the_sign_in():
    update_program_rules(actor=ACTOR, now=T0, sign_in_growth=0)
    m = factories.member()
    assert interactions.sign_in(m.id, actor=ACTOR, now=T0).growth == 0
    assert member_row(m.id).growth_interaction == 0
    with pytest.raises(AlreadySignedIn):
        interactions.sign_in(m.id, actor=ACTOR, now=T0)


def test_completing_the_profile_earns_growth_once():
    m = factories.member(name="Old name")
    with pytest.raises(ProfileIncomplete):
        interactions.save_profile(m.id, "New name", None, actor=ACTOR, now=T0)
    assert member_row(m.id).name == "Old name"
    first = interactions.save_profile(m.id, " 王芳 ", date(1990, 5, 4), actor=ACTOR, now=T0)
    again = interactions.save_profile(m.id, "王芳 Fang", date(1990, 5, 4), actor=ACTOR, now=T0)
    assert (first.growth, again.growth) == (20, 0)
    row = member_row(m.id)
    assert (row.name, row.birthday, row.growth_interaction) == ("王芳 Fang", date(1990, 5, 4), 20)
    assert interaction_status(m.id, T0).profile_completed
