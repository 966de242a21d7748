"""The member's bell, notification list, mark read and channel choices, as the member sees them."""

import re

from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.notifications import dispatch
from memberportal.notifications.queries import choices_for_member
from memberportal.tiers import services as tiers
from tests.conftest import csrf_from

ACTOR = SystemActor(audit_label="test")


def _tier_up(member_id: int) -> None:
    tiers.add_growth(member_id, 150, kind="spend", cause="purchase", source_type=None,
                     source_id=None, actor=ACTOR, now=utcnow())  # fmt: skip
    dispatch.dispatch_all(utcnow())


def _unread(html: str) -> str | None:
    match = re.search(r'data-testid="unread-count">(\d+)<', html)
    return match.group(1) if match else None


def test_bell_list_and_mark_read(member_web):
    from memberportal.extensions import db
    from memberportal.members.models import Member

    member = db.session.scalars(db.select(Member)).one()
    card = member_web.get("/card").get_data(as_text=True)
    assert 'data-testid="bell"' in card and _unread(card) is None
    _tier_up(member.id)
    card = member_web.get("/card").get_data(as_text=True)
    assert _unread(card) == "1"
    page = member_web.get("/notifications/", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert "VIP2" in html and html.count('data-testid="notification"') == 1
    member_web.client.post("/notifications/read", data={"csrf_token": csrf_from(html)})
    assert _unread(member_web.get("/card").get_data(as_text=True)) is None


def test_mark_read_without_csrf_changes_nothing(member_web):
    from memberportal.extensions import db
    from memberportal.members.models import Member

    member = db.session.scalars(db.select(Member)).one()
    _tier_up(member.id)
    member_web.client.post("/notifications/read", data={})
    assert _unread(member_web.get("/card").get_data(as_text=True)) == "1"


def test_choices_saved_per_category_and_channel(member_web):
    from memberportal.extensions import db
    from memberportal.members.models import Member

    member = db.session.scalars(db.select(Member)).one()
    page = member_web.get("/notifications/choices").get_data(as_text=True)
    assert 'data-testid="points-inapp"' in page and "checked" in page
    form = {"points_inapp": "y", "points_sms": "y", "tier_email": "y", "language": "en"}
    member_web.submit("/notifications/choices", form)
    chosen = choices_for_member(member.id)
    assert chosen[("points", "inapp")] and chosen[("points", "sms")]
    assert not chosen[("points", "email")] and not chosen[("tier", "inapp")]
    assert chosen[("tier", "email")]
