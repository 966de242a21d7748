"""Sign-in streaks: consecutive brand-local days, daily points and growth, a bonus every 7th."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.models import LedgerEntry
from memberportal.points.services import update_program_rules
from memberportal.tiers import interactions
from memberportal.tiers.models import SignIn
from memberportal.tiers.queries import interaction_status
from memberportal.tiers.rules import current_streak, sign_in_reward
from tests import factories
from tests.points_helpers import ACTOR

# 10:00 in Shanghai on 1 March 2026.
DAY1 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def on_day(n: int, hours: int = 0) -> datetime:
    return DAY1 + timedelta(days=n - 1, hours=hours)


def member_row(member_id: int) -> Member:
    db.session.expire_all()
    return db.session.get(Member, member_id)


@pytest.mark.parametrize(
    ("streak", "expected"),
    [(1, (5, 5, False)), (6, (5, 5, False)), (7, (25, 15, True)), (8, (5, 5, False)),
     (14, (25, 15, True))],
)  # fmt: skip
def test_reward_table(streak, expected):
    reward = sign_in_reward(
        streak, points=5, growth=5, bonus_days=7, bonus_points=20, bonus_growth=10
    )
    assert (reward.points, reward.growth, reward.bonus) == expected


def test_current_streak_lives_until_a_day_is_missed():
    d = DAY1.date()
    assert current_streak(None, 0, d) == 0
    assert current_streak(d, 3, d) == 3
    assert current_streak(d, 3, d + timedelta(days=1)) == 3  # not yet signed in today
    assert current_streak(d, 3, d + timedelta(days=2)) == 0


def test_seven_days_in_a_row_earn_the_bonus_on_the_seventh():
    m = factories.member()
    results = [interactions.sign_in(m.id, actor=ACTOR, now=on_day(n)) for n in range(1, 8)]
    assert [r.streak for r in results] == [1, 2, 3, 4, 5, 6, 7]
    assert [r.points for r in results] == [5] * 6 + [25]
    assert [r.growth for r in results] == [5] * 6 + [15]
    assert results[-1].bonus and not any(r.bonus for r in results[:-1])
    row = member_row(m.id)
    assert row.points_balance == 6 * 5 + 25
    assert row.growth_interaction == 6 * 5 + 15
    entries = db.session.scalars(
        select(LedgerEntry.points).where(LedgerEntry.kind == "sign_in").order_by(LedgerEntry.id)
    ).all()
    assert entries == [5] * 6 + [25]
    status = interaction_status(m.id, on_day(7))
    assert status.signed_in_today and status.streak == 7 and status.days_to_bonus == 7


def test_a_missed_day_starts_again_at_one():
    m = factories.member()
    for n in (1, 2, 3):
        interactions.sign_in(m.id, actor=ACTOR, now=on_day(n))
    assert interaction_status(m.id, on_day(4)).streak == 3  # the run is alive until day 4 ends
    assert interaction_status(m.id, on_day(5)).streak == 0
    again = interactions.sign_in(m.id, actor=ACTOR, now=on_day(5))
    assert again.streak == 1
    streaks = db.session.scalars(select(SignIn.streak).order_by(SignIn.day)).all()
    assert streaks == [1, 2, 3, 1]


def test_the_streak_follows_brand_local_days_not_utc():
    m = factories.member()
    # 23:30 on 1 March in Shanghai, then 00:30 on 2 March: two days, an hour apart.
    late = datetime(2026, 3, 1, 15, 30, tzinfo=UTC)
    interactions.sign_in(m.id, actor=ACTOR, now=late)
    second = interactions.sign_in(m.id, actor=ACTOR, now=late + timedelta(hours=1))
    assert second.streak == 2


def test_growth_stays_within_the_interaction_cap_while_points_are_paid():
    update_program_rules(actor=ACTOR, now=DAY1, sign_in_growth=20, streak_bonus_growth=50)
    m = factories.member()
    for n in range(1, 8):
        interactions.sign_in(m.id, actor=ACTOR, now=on_day(n))
    row = member_row(m.id)
    # 6 x 20 + 70 = 190 recorded; towards VIP2 (150) only 40% (60) counts.
    assert (row.growth_interaction, row.growth, row.tier.code) == (190, 60, "VIP1")
    assert row.points_balance == 6 * 5 + 25


def test_the_owner_sets_the_streak_rules():
    update_program_rules(
        actor=ACTOR, now=DAY1, sign_in_points=2, streak_bonus_days=3, streak_bonus_points=10
    )
    m = factories.member()
    points = [interactions.sign_in(m.id, actor=ACTOR, now=on_day(n)).points for n in range(1, 7)]
    assert points == [2, 2, 12, 2, 2, 12]
    assert member_row(m.id).points_balance == 32
