"""The staff list of referrals: managers and the owner, newest first, searchable, paged."""

import re
from datetime import timedelta

from memberportal.core.auth import role_can
from memberportal.points.services import update_program_rules
from memberportal.referrals import merchant_views
from memberportal.referrals.services import record_referral
from tests import factories
from tests.points_helpers import ACTOR, T0

HX = {"HX-Request": "true"}
URL = "/merchant/referrals/"


def english(*browsers):
    for browser in browsers:
        browser.client.set_cookie("lang", "en")


def refer(referrer, name: str, at):
    friend = factories.member(name=name)
    record_referral(referrer.member_no, friend.id, actor=ACTOR, now=at)
    return friend


def rows(html: str) -> list[str]:
    return re.findall(r'data-testid="referral-row">(.*?)</tr>', html, re.S)


def cell(row: str, name: str) -> str:
    return re.search(rf'data-testid="referral-{name}">(.*?)</td>', row, re.S).group(1)


def three_referrals():
    """Li Lei invites two friends, Han Meimei one; the points rule changes in between."""
    li, han = factories.member(name="李雷"), factories.member(name="韩梅梅")
    first = refer(li, "张三", T0)
    update_program_rules(actor=ACTOR, now=T0, referral_points=50, share_growth=5)
    # 17:30 UTC is 01:30 the next day in Shanghai.
    second = refer(li, "李四", T0.replace(hour=17, minute=30) + timedelta(days=1))
    third = refer(han, "王五", T0 + timedelta(days=3))
    return li, han, first, second, third


def test_managers_and_the_owner_see_the_page_cashiers_do_not(manager_web, owner_web, cashier_web):
    assert role_can("manager", "referrals.view") and not role_can("cashier", "referrals.view")
    for staff in (manager_web, owner_web):
        page = staff.get(URL)
        assert page.status_code == 200
        assert f'href="{URL}"' in staff.get("/merchant/").get_data(as_text=True)
    refused = cashier_web.get(URL)
    assert refused.status_code == 403 and "referral-row" not in refused.get_data(as_text=True)
    assert f'href="{URL}"' not in cashier_web.get("/merchant/").get_data(as_text=True)


def test_the_list_newest_first_with_dates_in_the_brand_zone_and_the_figures(manager_web):
    english(manager_web)
    li, han, first, second, third = three_referrals()
    page = manager_web.get(URL).get_data(as_text=True)
    assert "Referrals listed: 3" in page
    listed = rows(page)
    assert [cell(r, "referred") for r in listed] == [
        f'<a href="/merchant/members/{m.id}">{m.member_no}</a> {m.name}'
        for m in (third, second, first)
    ]
    assert [cell(r, "referrer") for r in listed] == [
        f'<a href="/merchant/members/{m.id}">{m.member_no}</a> {m.name}' for m in (han, li, li)
    ]
    assert [(cell(r, "points"), cell(r, "growth")) for r in listed] == [
        ("50", "5"), ("50", "5"), ("100", "10"),
    ]  # fmt: skip
    assert "3/12/26" in cell(listed[1], "date")  # 11 March 17:30 UTC is the 12th in Shanghai
    assert "3/10/26" in cell(listed[2], "date")


def test_search_by_the_member_number_of_either_side(manager_web):
    english(manager_web)
    li, han, first, second, third = three_referrals()
    by_referrer = manager_web.get(URL, query_string={"q": f" {li.member_no} "})
    html = by_referrer.get_data(as_text=True)
    assert [cell(r, "referred").split("</a>")[1] for r in rows(html)] == [" 李四", " 张三"]
    assert "Referrals listed: 2" in html and f'value="{li.member_no}"' in html
    by_friend = manager_web.get(URL, query_string={"q": third.member_no}).get_data(as_text=True)
    assert [han.member_no in cell(r, "referrer") for r in rows(by_friend)] == [True]
    nobody = manager_web.get(URL, query_string={"q": "0000000000"}).get_data(as_text=True)
    assert rows(nobody) == [] and "No referrals with member number 0000000000." in nobody
    empty = manager_web.get(URL, query_string={"q": ""}).get_data(as_text=True)
    assert len(rows(empty)) == 3


def test_pages_continue_after_the_last_row_with_and_without_htmx(manager_web, monkeypatch):
    english(manager_web)
    monkeypatch.setattr(merchant_views, "PAGE", 2)
    li, han, first, second, third = three_referrals()
    html = manager_web.get(URL).get_data(as_text=True)
    listed = [cell(r, "referred") for r in rows(html)]
    assert len(listed) == 2 and third.member_no in listed[0] and second.member_no in listed[1]
    more = re.search(r'href="([^"]+)"[^>]*data-testid="load-more"', html).group(1)
    more = more.replace("&amp;", "&")
    plain = manager_web.get(more).get_data(as_text=True)
    assert [first.member_no in cell(r, "referred") for r in rows(plain)] == [True]
    assert 'data-testid="load-more"' not in plain and 'data-testid="newest"' in plain
    fragment = manager_web.get(more, headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and len(rows(fragment)) == 1
    # The search rides along: Li Lei's two fit one page, so no "load more".
    searched = manager_web.get(URL, query_string={"q": li.member_no}).get_data(as_text=True)
    assert len(rows(searched)) == 2 and 'data-testid="load-more"' not in searched
    monkeypatch.setattr(merchant_views, "PAGE", 1)
    searched = manager_web.get(URL, query_string={"q": li.member_no}).get_data(as_text=True)
    more = re.search(r'href="([^"]+)"[^>]*data-testid="load-more"', searched).group(1)
    assert f"q={li.member_no}" in more
    rest = manager_web.get(more.replace("&amp;", "&")).get_data(as_text=True)
    assert [first.member_no in cell(r, "referred") for r in rows(rest)] == [True]


def test_the_member_page_counts_the_friends_referred(manager_web, cashier_web):
    english(manager_web, cashier_web)
    li, han, first, _second, _third = three_referrals()
    page = manager_web.get(f"/merchant/members/{li.id}").get_data(as_text=True)
    count = re.search(r'data-testid="referred-count">(.*?)</dd>', page, re.S).group(1)
    assert count == f'<a href="{URL}?q={li.member_no}">2</a>'
    friend = manager_web.get(f"/merchant/members/{first.id}").get_data(as_text=True)
    assert 'data-testid="referred-count">0</dd>' in friend
    # A cashier reads the number; the list is not theirs to open.
    desk = cashier_web.get(f"/merchant/members/{han.id}").get_data(as_text=True)
    assert 'data-testid="referred-count">1</dd>' in desk
