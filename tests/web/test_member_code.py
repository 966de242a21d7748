"""The card's rotating code: shown on the card, refreshed, accepted at the counter for about
2 minutes, refused after; a member number typed by hand asks for the phone's last digits."""

import re
from datetime import timedelta

import time_machine

from memberportal.core.clock import utcnow
from tests import factories

EN = {"Accept-Language": "en"}
HTMX = {"HX-Request": "true", **EN}


def shown_code(web, url="/card", headers=EN) -> str:
    html = web.get(url, headers=headers).get_data(as_text=True)
    return re.search(r'data-code="(\d{18})"', html).group(1)


def test_the_card_shows_a_code_that_changes_every_30_seconds(member_web):
    start = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False) as clock:
        html = member_web.get("/card", headers=EN).get_data(as_text=True)
        code = re.search(r'data-code="(\d{18})"', html).group(1)
        assert code.startswith(member_web.member.member_no)
        grouped = " ".join(code[i : i + 4] for i in range(0, 18, 4))
        assert re.search(rf'data-testid="code-digits"[^>]*>{grouped}<', html)
        assert 'hx-get="/card/code"' in html and "every 30s" in html
        assert shown_code(member_web, "/card/code", HTMX) == code  # same step: same code
        clock.shift(30)
        fresh = member_web.get("/card/code", headers=HTMX)
        assert fresh.headers["Cache-Control"] == "private, no-store"
        assert "<html" not in fresh.get_data(as_text=True)
        assert shown_code(member_web, "/card/code", HTMX) != code


def test_the_till_accepts_the_code_for_2_minutes_and_not_a_screenshot_later(
    member_web, cashier_web
):
    member = member_web.member
    start = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False) as clock:
        code = shown_code(member_web)
        clock.shift(119)
        opened = cashier_web.get(f"/merchant/purchases/till?q={code}")
        assert opened.status_code == 302
        assert opened.location.endswith(f"/merchant/purchases/member/{member.id}")
        page = cashier_web.get(opened.location, headers=EN).get_data(as_text=True)
        assert 'data-testid="confirm-phone"' not in page  # the code itself identifies
        clock.shift(1)
        late = cashier_web.get(f"/merchant/purchases/till?q={code}", headers=EN)
        assert late.status_code == 200
        assert "This card code has expired" in late.get_data(as_text=True)
        grouped = " ".join(code[i : i + 4] for i in range(0, 18, 4))
        lookup = cashier_web.get(f"/merchant/members/?q={grouped}", headers=EN)
        assert lookup.status_code == 200 and "has expired" in lookup.get_data(as_text=True)


def test_the_cards_fixed_secret_opens_nothing(cashier_web):
    member = factories.member(contact="13900000777")
    for url in ("/merchant/purchases/till", "/merchant/members/"):
        page = cashier_web.get(f"{url}?q={member.card_code}", headers=EN)
        assert page.status_code == 200 and "No member matches" in page.get_data(as_text=True)


def test_a_typed_member_number_asks_for_the_phones_last_four_digits(cashier_web):
    member = factories.member(contact="13900004321")
    opened = cashier_web.get(f"/merchant/purchases/till?q={member.member_no}")
    assert opened.location.endswith(f"/merchant/purchases/member/{member.id}?typed=1")
    page = cashier_web.get(opened.location, headers=EN).get_data(as_text=True)
    assert re.search(r'data-testid="confirm-phone">[^<]*They must be 4321\.', page)
    by_lookup = cashier_web.get(f"/merchant/members/?q={member.member_no}")
    assert by_lookup.location.endswith(f"/merchant/members/{member.id}?typed=1")
    by_phone = cashier_web.get("/merchant/purchases/till?q=139 0000 4321")
    assert by_phone.location.endswith(f"/merchant/purchases/member/{member.id}")
