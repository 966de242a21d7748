"""The installable card in Chromium: a valid manifest, a service worker that registers, and
the last card shown again when the phone is offline (and forgotten on signing out)."""

import json

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.browser.test_mall import member_sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def installed_phone(browser, live_server, tmp_path):
    """A phone with a profile on disk: Chromium installs nothing from an incognito context."""
    context = browser.browser_type.launch_persistent_context(
        tmp_path / "profile", executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport=PHONE,
        locale="zh-CN", base_url=live_server, is_mobile=True, has_touch=True,
    )  # fmt: skip
    context.set_default_timeout(10_000)
    yield context.pages[0] if context.pages else context.new_page()
    context.close()


def test_the_card_installs_and_opens_offline(installed_phone):
    phone = installed_phone
    member = factories.member(contact="13900000612")
    member_sign_in(phone, "13900000612")
    cdp = phone.context.new_cdp_session(phone)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert json.loads(manifest["data"])["start_url"] == "/card"
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    # True once a worker controls the page (a worker object itself would arrive as {}).
    controlled = """navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller
        || new Promise(done => navigator.serviceWorker.oncontrollerchange =
            () => done(!!navigator.serviceWorker.controller)))"""
    assert phone.evaluate(controlled) is True
    scope = phone.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == phone.url.replace("/card", "/")
    tier = phone.get_by_test_id("tier").inner_text()
    phone.reload()  # through the worker now: the card is kept

    phone.context.set_offline(True)
    phone.reload()
    expect(phone.get_by_test_id("member-no")).to_have_text(member.member_no)
    expect(phone.get_by_test_id("tier")).to_have_text(tier)
    assert phone.get_by_test_id("card-code").get_attribute("data-code").startswith(member.member_no)

    phone.context.set_offline(False)
    phone.reload()
    phone.get_by_role("button", name="退出").click()
    phone.context.set_offline(True)
    with pytest.raises(Exception, match="ERR_"):
        phone.goto("/card")
