"""Invite links: shown on the card, kept through a form error, crediting the referrer."""

from sqlalchemy import func, select

from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.purchases.services import record_purchase
from memberportal.referrals.models import Referral
from tests.conftest import Browser
from tests.points_helpers import ACTOR

EN = {"Accept-Language": "en"}


def join(browser, ref, contact="13812345678", confirm=None):
    page = f"/register?ref={ref}"
    form = browser.get(page).get_data(as_text=True)
    assert f'name="ref" type="hidden" value="{ref}"' in form
    data = {
        "name": "新朋友", "contact": contact, "password": "Correct-Horse-42",
        "confirm": confirm or "Correct-Horse-42", "ref": ref, "accept": "y",
    }  # fmt: skip
    return browser.submit("/register", data, page=page)


def test_the_card_shows_the_invite_link(member_web):
    page = member_web.get("/card", headers=EN).get_data(as_text=True)
    assert "Invite a friend" in page
    link = f"http://localhost/register?ref={member_web.member.member_no}"
    assert f'value="{link}"' in page
    assert "your friend gets 50 points on joining" in page
    assert "you earn 100 points (valid for 6 months) after their first purchase" in page


def test_joining_welcomes_the_friend_and_the_first_purchase_credits_the_referrer(app, member_web):
    friend = Browser(app.test_client())
    assert join(friend, member_web.member.member_no).status_code == 303
    assert 'data-testid="points-balance">50<' in friend.get("/card").get_data(as_text=True)
    card = member_web.get("/card", headers=EN).get_data(as_text=True)
    assert 'data-testid="points-balance">0<' in card
    friend_id = db.session.scalar(select(Member.id).where(Member.phone == "+8613812345678"))
    record_purchase(friend_id, 2000, "REF-1", source="till", actor=ACTOR, now=utcnow())
    card = member_web.get("/card", headers=EN).get_data(as_text=True)
    assert 'data-testid="points-balance">100<' in card
    history = member_web.get("/points", headers=EN).get_data(as_text=True)
    assert "a friend joined" in history and "+100" in history
    assert db.session.scalar(select(func.count(Referral.id))) == 1


def test_the_ref_survives_a_form_error_and_an_unknown_ref_is_ignored(app, member_web):
    friend = Browser(app.test_client())
    refused = join(friend, member_web.member.member_no, confirm="Another-Horse-43")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert f'name="ref" type="hidden" value="{member_web.member.member_no}"' in html
    stranger = Browser(app.test_client())
    assert join(stranger, "0000000000", contact="13812345679").status_code == 303
    assert db.session.scalar(select(func.count(Member.id))) == 2
    assert db.session.scalar(select(func.count(Referral.id))) == 0
