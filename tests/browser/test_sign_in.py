"""The daily sign-in on a phone: htmx swaps the panel in place, the growth figure follows."""

import pytest

from tests import factories

pytestmark = pytest.mark.browser


def test_member_signs_in_on_the_card_without_a_page_load(phone):
    factories.member(contact="13900000888")
    phone.goto("/login")
    phone.fill("input[name=contact]", "13900000888")
    phone.fill("input[name=password]", factories.PASSWORD)
    phone.locator("form button[type=submit]").last.click()
    phone.goto("/card")
    phone.evaluate("window.notReloaded = true")
    assert phone.get_by_test_id("growth").inner_text() == "0"
    phone.get_by_test_id("sign-in").click()
    phone.get_by_test_id("signed-in").wait_for()
    assert phone.get_by_test_id("growth").inner_text() == "5"
    assert phone.get_by_test_id("points-balance").inner_text() == "5"
    assert "1" in phone.get_by_test_id("streak").inner_text()
    assert phone.get_by_test_id("interaction-message").is_visible()
    assert phone.evaluate("window.notReloaded") is True  # swapped in place by htmx
