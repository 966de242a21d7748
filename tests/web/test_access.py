"""The access matrix: every merchant route, as each role, a member and anonymous."""

import re

import pytest

from memberportal.core.auth import PERMISSIONS, role_can
from tests import factories
from tests.conftest import Browser, staff_web_for


def merchant_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("merchant."):
            yield rule


def sample_url(rule) -> str:
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", "1", url)
    return url


def test_every_merchant_endpoint_declares_a_permission(app):
    rules = list(merchant_rules(app))
    assert len(rules) >= 4
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "required_permission", None) in PERMISSIONS, rule.endpoint


def methods(rule):
    return sorted(m for m in rule.methods if m in {"GET", "POST"})


def test_anonymous_is_sent_to_staff_sign_in(app, client):
    for rule in merchant_rules(app):
        for method in methods(rule):
            response = client.open(sample_url(rule), method=method)
            if method == "POST" and response.status_code == 400:
                continue  # CSRF refuses first; nothing ran
            assert response.status_code == 302, (rule.rule, method)
            assert "/staff/login" in response.location


def test_a_member_is_refused_every_merchant_route(app, member_web):
    for rule in merchant_rules(app):
        response = member_web.get(sample_url(rule))
        if "GET" in rule.methods:
            assert response.status_code == 403, rule.rule
        token = member_web.get("/card").get_data(as_text=True)
        from tests.conftest import csrf_from

        post = member_web.client.post(sample_url(rule), data={"csrf_token": csrf_from(token)})
        assert post.status_code in (403, 405), rule.rule


@pytest.mark.parametrize("role", ["cashier", "manager", "owner"])
def test_each_role_reaches_only_what_the_table_allows(app, role):
    browser = staff_web_for(app, role)
    token_page = browser.get("/merchant/").get_data(as_text=True)
    from tests.conftest import csrf_from

    token = csrf_from(token_page)
    walked = set()
    for rule in merchant_rules(app):
        walked.add(rule.endpoint)
        permission = app.view_functions[rule.endpoint].required_permission
        allowed = role_can(role, permission)
        for method in methods(rule):
            if method == "GET":
                response = browser.get(sample_url(rule))
            else:
                response = browser.client.post(sample_url(rule), data={"csrf_token": token})
            if allowed:
                assert response.status_code != 403, (role, rule.rule, method)
            else:
                assert response.status_code == 403, (role, rule.rule, method)
                assert "member_no" not in response.get_data(as_text=True)
    # Pages added later are walked too.
    assert {
        "merchant.referrals.index",
        "merchant.reviews.index",
        "merchant.members.detail",
        "merchant.password_resets.issue",
        "merchant.risk.index",
        "merchant.risk.rules",
        "merchant.wallet.counter",
        "merchant.wallet.liability",
    } <= walked


def test_each_role_issues_a_password_reset_for_a_real_member(app):
    """The walk above uses member 1, which does not exist there; here the member does."""
    member = factories.member()
    url = f"/merchant/members/{member.id}/password-reset"
    assert PERMISSIONS["members.reset_password"] == frozenset({"cashier", "manager", "owner"})
    for role in ("cashier", "manager", "owner"):
        browser = staff_web_for(app, role)
        response = browser.submit(url, page=f"/merchant/members/{member.id}")
        assert response.status_code == 201, role
        assert 'data-testid="reset-code"' in response.get_data(as_text=True)


def test_cashier_is_refused_the_owner_staff_page(app):
    cashier = staff_web_for(app, "cashier")
    response = cashier.get("/merchant/staff/")
    assert response.status_code == 403
    assert "owner@" not in response.get_data(as_text=True)


def test_member_session_cannot_be_turned_into_staff(app, client):
    member = factories.member(contact="13900000077")
    browser = Browser(client)
    browser.submit("/login", {"contact": "13900000077", "password": factories.PASSWORD})
    # A staff row with the same numeric id exists: the session still names a member.
    factories.staff("owner")
    assert browser.get("/merchant/").status_code == 403
    assert member.id
