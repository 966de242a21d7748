"""Registrations are throttled per device (a cookie) and per address; only accounts made count."""

from sqlalchemy import func, select

from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.referrals.models import Referral
from tests import factories
from tests.conftest import Browser, csrf_from

EN = {"Accept-Language": "en"}


def join(browser, contact: str, *, ref: str = "", confirm: str = "Correct-Horse-42",
         drop_cookie: bool = False):  # fmt: skip
    page = browser.get("/register").get_data(as_text=True)  # it hands out the device cookie
    form = {
        "name": "新朋友", "contact": contact, "password": "Correct-Horse-42", "confirm": confirm,
        "accept": "y", "ref": ref, "csrf_token": csrf_from(page),
    }  # fmt: skip
    if drop_cookie:
        browser.client.delete_cookie("mp_device")
    return browser.client.post("/register", data=form, headers=EN)


def members() -> int:
    return db.session.scalar(select(func.count(Member.id)))


def test_one_device_makes_at_most_n_accounts_and_refused_forms_cost_nothing(make_app):
    app = make_app(REGISTER_LIMIT_PER_DEVICE="2 per day", REGISTER_LIMIT_PER_IP="100 per hour")
    referrer = factories.member()
    phone = Browser(app.test_client())
    assert join(phone, "13811110001", confirm="Another-Horse-43").status_code == 422
    answers = [join(phone, f"1381111000{n}", ref=referrer.member_no) for n in (2, 3, 4)]
    assert [a.status_code for a in answers] == [303, 303, 429]
    assert "Too many attempts" in answers[-1].get_data(as_text=True)
    assert members() == 1 + 2
    # The refused third account was never made, so it referred nobody.
    assert db.session.scalar(select(func.count(Referral.id))) == 2
    other_phone = Browser(app.test_client())  # another device on the same network still may
    assert join(other_phone, "13811110005").status_code == 303
    assert members() == 4


def test_one_address_makes_at_most_n_accounts_whatever_the_cookies(make_app):
    app = make_app(REGISTER_LIMIT_PER_DEVICE="100 per day", REGISTER_LIMIT_PER_IP="2 per hour")
    answers = [join(Browser(app.test_client()), f"1381112000{n}") for n in range(3)]
    assert [a.status_code for a in answers] == [303, 303, 429]
    assert members() == 2


def test_posting_without_the_device_cookie_counts_against_the_address_device(make_app):
    app = make_app(REGISTER_LIMIT_PER_DEVICE="1 per day", REGISTER_LIMIT_PER_IP="100 per hour")
    first = join(Browser(app.test_client()), "13811130001", drop_cookie=True)
    second = join(Browser(app.test_client()), "13811130002", drop_cookie=True)
    assert (first.status_code, second.status_code) == (303, 429)
    assert members() == 1
