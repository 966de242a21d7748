"""Tier history: the member's card and the staff member page list each move with its date
(brand-local) and cause, ending with the tier the member joined at."""

import re
from datetime import UTC, datetime, timedelta

from memberportal.purchases import services as purchases
from memberportal.tiers.services import reevaluate
from tests import factories
from tests.points_helpers import ACTOR

EN = {"Accept-Language": "en"}
# 23:30 UTC is already the next day in Shanghai: the page shows the brand's day.
UP_AT = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)


def moves(html: str) -> list[tuple[str, str]]:
    day = r'data-testid="tier-move-day">([^<]+)</span>\s*'
    text = r'<span data-testid="tier-move-text">(.*?)</span>'
    rows = re.findall(day + text, html, re.S)
    return [(day, re.sub(r"<[^>]+>", "", text).strip()) for day, text in rows]


def test_the_card_and_the_staff_page_show_each_move_with_date_and_cause(member_web, manager_web):
    member = member_web.member
    other = factories.member()
    purchases.record_purchase(member.id, 20000, "H-1", source="till", actor=ACTOR, now=UP_AT)
    purchases.record_purchase(other.id, 20000, "H-2", source="till", actor=ACTOR, now=UP_AT)
    reevaluate(UP_AT + timedelta(days=400), actor=ACTOR)  # growth gone: down at period end

    card = member_web.get("/card", headers=EN).get_data(as_text=True)
    joined = member.joined_at.astimezone(UTC) + timedelta(hours=8)
    expected = [
        ("2027-04-14", "VIP2 Silver → VIP1 Classic"),
        ("2026-03-10", "VIP1 Classic → VIP2 Silver"),
        (f"{joined:%Y-%m-%d}", "Joined at VIP1 Classic"),
    ]
    assert moves(card) == expected
    assert "Growth reached the threshold (spend 200, interactions 0)" in card
    assert "Tier review at the end of the qualification period" in card
    assert card.count('data-testid="tier-move"') == 3  # the other member's moves are not here

    staff = manager_web.get(f"/merchant/members/{member.id}", headers=EN).get_data(as_text=True)
    assert moves(staff) == expected


def test_a_member_who_never_moved_shows_the_tier_they_joined_at(member_web):
    card = member_web.get("/card", headers=EN).get_data(as_text=True)
    assert [text for _day, text in moves(card)] == ["Joined at VIP1 Classic"]
