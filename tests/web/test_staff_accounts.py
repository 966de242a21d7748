"""The owner's staff pages: the list, deactivating (confirmed first), roles, passwords. Only
the owner reaches them; forms carry CSRF; a changed account's open sessions end at once."""

import html
import re

import pytest

from tests import factories
from tests.conftest import Browser, staff_web_for
from tests.password_helpers import audit_rows
from tests.staff_helpers import NEW_PASSWORD, staff_row

EN = {"Accept-Language": "en"}


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def english(browser: Browser) -> Browser:
    browser.client.set_cookie("lang", "en")
    return browser


def signed_in(browser: Browser) -> bool:
    response = browser.get("/merchant/")
    return response.status_code == 200


def row_for(page: str, email: str) -> str:
    match = re.search(rf'<tr data-testid="staff-row" data-email="{re.escape(email)}">(.*?)</tr>',
                      page, re.S)  # fmt: skip
    assert match, email
    return match.group(1)


def staff_urls(staff_id: int) -> list[tuple[str, str]]:
    base = f"/merchant/staff/{staff_id}"
    return [
        ("GET", "/merchant/staff/"), ("POST", "/merchant/staff/"), ("GET", base),
        ("GET", f"{base}/role?role=manager"), ("POST", f"{base}/role"),
        ("GET", f"{base}/deactivate"), ("POST", f"{base}/deactivate"),
        ("POST", f"{base}/reactivate"), ("GET", f"{base}/password"), ("POST", f"{base}/password"),
    ]  # fmt: skip


def test_the_owner_lists_staff_with_role_status_and_last_sign_in(owner_web):
    english(owner_web)
    cashier = factories.staff("cashier", email="till@example.com")
    page = text(owner_web.get("/merchant/staff/"))
    assert 'href="/merchant/staff/"' in page  # the navigation's link
    mine = row_for(page, owner_web.staff.email)
    assert 'staff-role">Owner<' in mine and ">Active<" in mine
    assert 'staff-last-sign-in">—<' not in mine  # signed in by the fixture
    till = row_for(page, cashier.email)
    assert 'staff-role">Cashier<' in till and 'staff-last-sign-in">—<' in till
    assert f'href="/merchant/staff/{cashier.id}"' in till


@pytest.mark.parametrize("role", ["cashier", "manager"])
def test_managers_and_cashiers_get_403_on_every_staff_route(app, role):
    browser = staff_web_for(app, role)
    cashier = factories.staff("cashier")
    token = re.search(r'"X-CSRFToken": "([^"]+)"', text(browser.get("/merchant/"))).group(1)
    assert 'href="/merchant/staff/"' not in text(browser.get("/merchant/"))
    for method, url in staff_urls(cashier.id):
        data = {"csrf_token": token, "role": "owner", "password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD}  # fmt: skip
        response = browser.client.open(url, method=method, data=data if method == "POST" else None)
        assert response.status_code == 403, (method, url)
    row = staff_row(cashier.id)
    assert (row.role, row.is_enabled, row.session_version) == ("cashier", True, 0)
    assert staff_row(browser.staff.id).role == role


def test_staff_forms_refuse_a_post_without_its_csrf_token(owner_web):
    cashier = factories.staff("cashier")
    for url, data in [
        (f"/merchant/staff/{cashier.id}/deactivate", {}),
        (f"/merchant/staff/{cashier.id}/role", {"role": "owner"}),
        (f"/merchant/staff/{cashier.id}/password", {"password": NEW_PASSWORD,
                                                    "confirm": NEW_PASSWORD}),
    ]:  # fmt: skip
        assert owner_web.client.post(url, data=data).status_code == 400, url
    row = staff_row(cashier.id)
    assert (row.role, row.is_enabled, row.session_version) == ("cashier", True, 0)
    for action in ("deactivate", "role?role=manager", "password"):
        url = f"/merchant/staff/{cashier.id}/{action}"
        assert 'name="csrf_token"' in text(owner_web.get(url)), url


def test_deactivating_is_confirmed_first_and_signs_the_cashier_out_at_once(app, owner_web):
    english(owner_web)
    cashier_web = staff_web_for(app, "cashier")
    cashier = cashier_web.staff
    assert signed_in(cashier_web)
    detail = text(owner_web.get(f"/merchant/staff/{cashier.id}"))
    assert f'href="/merchant/staff/{cashier.id}/deactivate"' in detail
    confirm = text(owner_web.get(f"/merchant/staff/{cashier.id}/deactivate"))
    assert f"Deactivate {cashier.name}?" in confirm and "signed out on every device" in confirm
    assert staff_row(cashier.id).is_enabled  # the confirmation page changed nothing
    done = owner_web.submit(f"/merchant/staff/{cashier.id}/deactivate")
    assert done.status_code == 303 and done.location.endswith(f"/merchant/staff/{cashier.id}")
    page = text(owner_web.get(done.location))
    assert f"{cashier.email} was deactivated and signed out on every device." in page
    assert 'staff-status"><span class="badge bad">Deactivated<' in page

    response = cashier_web.get("/merchant/")
    assert response.status_code == 302 and "/staff/login" in response.location
    entry = audit_rows("staff.deactivated")[-1]
    assert (entry.actor_id, entry.subject_id) == (owner_web.staff.id, cashier.id)


def test_a_deactivated_account_is_told_why_it_cannot_sign_in(owner_web, web):
    cashier = factories.staff("cashier")
    owner_web.submit(f"/merchant/staff/{cashier.id}/deactivate")
    english(web)
    right = web.submit("/staff/login", {"email": cashier.email, "password": factories.PASSWORD})
    assert right.status_code == 422
    assert "This staff account has been deactivated. Ask the owner to reactivate it." in text(right)
    wrong = web.submit("/staff/login", {"email": cashier.email, "password": "Wrong-Horse-41"})
    assert wrong.status_code == 422 and "deactivated" not in text(wrong)
    assert "Those sign-in details do not match an account." in text(wrong)
    assert web.get("/merchant/").status_code == 302

    owner_web.submit(
        f"/merchant/staff/{cashier.id}/reactivate", page=f"/merchant/staff/{cashier.id}"
    )
    again = web.submit("/staff/login", {"email": cashier.email, "password": factories.PASSWORD})
    assert again.status_code == 303 and web.get("/merchant/").status_code == 200


def test_a_role_change_is_confirmed_then_the_new_role_applies_after_sign_in(app, owner_web):
    english(owner_web)
    cashier_web = staff_web_for(app, "cashier")
    cashier = cashier_web.staff
    assert cashier_web.get("/merchant/audit/").status_code == 403
    confirm = text(owner_web.get(f"/merchant/staff/{cashier.id}/role?role=manager"))
    assert f"Make {cashier.name} Manager?" in confirm and 'value="manager"' in confirm
    assert staff_row(cashier.id).role == "cashier"
    done = owner_web.submit(f"/merchant/staff/{cashier.id}/role", {"role": "manager"},
                            page=f"/merchant/staff/{cashier.id}/role?role=manager")  # fmt: skip
    assert done.status_code == 303
    assert f"{cashier.email} is now Manager" in text(owner_web.get(done.location))
    assert cashier_web.get("/merchant/").status_code == 302  # signed out
    cashier_web.submit("/staff/login", {"email": cashier.email, "password": factories.PASSWORD})
    assert cashier_web.get("/merchant/audit/").status_code == 200
    entry = audit_rows("staff.role_changed")[-1]
    assert (entry.details["old_role"], entry.details["new_role"]) == ("cashier", "manager")


def test_an_unknown_role_gets_a_message_and_changes_nothing(owner_web):
    english(owner_web)
    cashier = factories.staff("cashier")
    response = owner_web.submit(f"/merchant/staff/{cashier.id}/role", {"role": "admin"},
                                page=f"/merchant/staff/{cashier.id}")  # fmt: skip
    assert response.status_code == 422 and "Not a valid choice" in text(response)
    assert staff_row(cashier.id).role == "cashier"


def test_the_only_owner_cannot_demote_or_deactivate_themselves(owner_web):
    english(owner_web)
    me = owner_web.staff.id
    message = "This is the only active owner: make another staff member an owner first"
    demote = owner_web.submit(f"/merchant/staff/{me}/role", {"role": "manager"},
                              page=f"/merchant/staff/{me}")  # fmt: skip
    assert demote.status_code == 409 and message in text(demote)
    leave = owner_web.submit(f"/merchant/staff/{me}/deactivate")
    assert leave.status_code == 409 and message in text(leave)
    row = staff_row(me)
    assert (row.role, row.is_enabled) == ("owner", True)
    assert signed_in(owner_web)


def test_an_owner_stepping_down_stays_signed_in_as_a_manager(app, owner_web):
    factories.staff("owner")
    me = owner_web.staff.id
    done = owner_web.submit(f"/merchant/staff/{me}/role", {"role": "manager"},
                            page=f"/merchant/staff/{me}")  # fmt: skip
    assert done.status_code == 303 and done.location.endswith("/merchant/")
    assert signed_in(owner_web)
    assert owner_web.get("/merchant/staff/").status_code == 403


def test_an_owner_deactivating_themselves_is_signed_out(owner_web):
    factories.staff("owner")
    me = owner_web.staff.id
    done = owner_web.submit(f"/merchant/staff/{me}/deactivate")
    assert done.status_code == 303 and done.location.endswith("/staff/login")
    assert not signed_in(owner_web)


def test_the_owner_sets_a_new_password_and_the_old_sessions_end(app, owner_web):
    english(owner_web)
    cashier_web = staff_web_for(app, "cashier")
    cashier = cashier_web.staff
    url = f"/merchant/staff/{cashier.id}/password"
    mismatch = owner_web.submit(url, {"password": NEW_PASSWORD, "confirm": "Other-Maple-78"})
    assert mismatch.status_code == 422 and "Passwords do not match." in text(mismatch)
    weak = owner_web.submit(url, {"password": "88888888", "confirm": "88888888"})
    assert weak.status_code == 422 and "too easy to guess" in text(weak)
    assert staff_row(cashier.id).session_version == 0 and signed_in(cashier_web)

    done = owner_web.submit(url, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303
    assert f"New password set for {cashier.email}" in text(owner_web.get(done.location))
    assert not signed_in(cashier_web)
    old = cashier_web.submit(
        "/staff/login", {"email": cashier.email, "password": factories.PASSWORD}
    )
    assert old.status_code == 422
    new = cashier_web.submit("/staff/login", {"email": cashier.email, "password": NEW_PASSWORD})
    assert new.status_code == 303 and signed_in(cashier_web)
