"""The sign-in button on the card and the profile page, as a member uses them."""

from datetime import date

from memberportal.extensions import db
from memberportal.members.models import Member
from tests.conftest import csrf_from

HX = {"HX-Request": "true"}


def english(browser):
    browser.client.set_cookie("lang", "en")
    return browser


def growth_of(member_id: int) -> tuple[int, int]:
    db.session.expire_all()
    member = db.session.get(Member, member_id)
    return member.growth, member.growth_interaction


def test_sign_in_without_javascript_then_a_clear_message_on_the_second_try(member_web):
    web = english(member_web)
    card = web.get("/card").get_data(as_text=True)
    assert 'data-testid="sign-in"' in card and "Check in (+5 points, +5 growth)" in card
    assert "Up to 60 more growth towards VIP2 Silver" in card
    first = web.submit("/card/sign-in", page="/card")
    assert first.status_code == 303 and first.headers["Location"].endswith("/card")
    card = web.get("/card").get_data(as_text=True)
    assert "Checked in: +5 points, +5 growth." in card  # the flash
    assert 'data-testid="signed-in"' in card and 'data-testid="sign-in"' not in card
    assert 'data-testid="growth">5<' in card
    assert 'data-testid="points-balance">5<' in card
    assert "Check-in streak: 1 day" in card
    assert "6 more to the 7-day bonus (+20 points)." in card
    assert "Up to 55 more growth towards VIP2 Silver" in card
    token = csrf_from(web.get("/points").get_data(as_text=True))
    again = web.client.post("/card/sign-in", data={"csrf_token": token})
    assert again.status_code == 422
    assert "You have already checked in today" in again.get_data(as_text=True)
    assert growth_of(web.member.id) == (5, 5)


def test_sign_in_with_htmx_swaps_the_panel_in_place(member_web):
    web = english(member_web)
    token = csrf_from(web.get("/card").get_data(as_text=True))
    done = web.client.post("/card/sign-in", data={"csrf_token": token}, headers=HX)
    body = done.get_data(as_text=True)
    assert done.status_code == 200 and "<html" not in body
    assert 'id="interactions"' in body and "Checked in: +5 points, +5 growth." in body
    assert 'data-testid="growth" hx-swap-oob="true">5<' in body
    assert 'data-testid="points-balance" hx-swap-oob="true">5<' in body
    again = web.client.post("/card/sign-in", data={"csrf_token": token}, headers=HX)
    assert again.status_code == 422 and "<html" not in again.get_data(as_text=True)
    assert "You have already checked in today" in again.get_data(as_text=True)
    assert growth_of(web.member.id) == (5, 5)


def test_sign_in_needs_the_csrf_token(member_web):
    assert member_web.client.post("/card/sign-in").status_code in (400, 422)
    assert growth_of(member_web.member.id) == (0, 0)


def test_completing_the_profile_once(member_web):
    web = english(member_web)
    assert "Complete your profile (+20 growth)" in web.get("/card").get_data(as_text=True)
    bad = web.submit("/profile", {"name": "王芳", "birthday": ""})
    assert bad.status_code == 422 and growth_of(web.member.id) == (0, 0)
    saved = web.submit("/profile", {"name": "王芳", "birthday": "1990-05-04"})
    assert saved.status_code == 303
    card = web.get("/card").get_data(as_text=True)
    assert "Profile completed: +20 growth." in card and 'data-testid="growth">20<' in card
    assert 'data-testid="profile-link"' not in card
    web.submit("/profile", {"name": "王芳 Fang", "birthday": "1990-05-05"})
    db.session.expire_all()
    member = db.session.get(Member, web.member.id)
    # The name changes; the birthday was set once and stays (staff correct it).
    assert (member.name, member.birthday, member.growth) == ("王芳 Fang", date(1990, 5, 4), 20)
    page = web.get("/profile").get_data(as_text=True)
    assert 'value="王芳 Fang"' in page and ">1990-05-04<" in page


def test_staff_cannot_use_member_interactions(cashier_web):
    assert cashier_web.get("/profile").status_code == 403


def test_the_card_page_title_is_text_and_the_panel_appears_once(member_web):
    import re

    card = english(member_web).get("/card").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", card, re.S).group(1)
    assert "<" not in title and "My member card" in title
    assert card.count('data-testid="sign-in"') == 1
