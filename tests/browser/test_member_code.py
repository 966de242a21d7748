"""The card's rotating code in Chromium: a fresh code arrives without a reload, and a code
whose time has passed while the phone is offline is hidden in favour of the member number."""

from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from memberportal.core.clock import utcnow
from tests import factories
from tests.browser.test_mall import member_sign_in

pytestmark = pytest.mark.browser


def test_the_code_refreshes_on_the_page_and_goes_stale_offline(phone):
    member = factories.member(contact="13900000611")
    phone.clock.install()
    member_sign_in(phone, "13900000611")
    box = phone.get_by_test_id("card-code")
    first = box.get_attribute("data-code")
    assert first.startswith(member.member_no) and len(first) == 18
    expect(phone.get_by_test_id("card-qr")).to_be_visible()
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=True):
        phone.clock.fast_forward(31_000)  # htmx polls every 30 seconds
        expect(box).not_to_have_attribute("data-code", first)
        second = box.get_attribute("data-code")
        assert second.startswith(member.member_no)
        expect(phone.get_by_test_id("code-digits")).to_have_text(
            " ".join(second[i : i + 4] for i in range(0, 18, 4))
        )
        phone.context.set_offline(True)
        phone.clock.fast_forward(125_000)  # polls fail; the code's 2 minutes pass
        expect(phone.get_by_test_id("code-stale")).to_be_visible()
        expect(phone.get_by_test_id("card-qr")).to_be_hidden()
        expect(phone.get_by_test_id("member-no")).to_have_text(member.member_no)
        assert box.get_attribute("data-code") == second
