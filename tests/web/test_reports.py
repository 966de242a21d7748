"""The report page and the merchant navigation, as each role sees them."""

import re

import time_machine

from tests.conftest import staff_web_for
from tests.reports_data import NOW, build
from tests.web.test_memberships import join_and_pay, svip  # noqa: F401 - fixture

EN = {"Accept-Language": "en"}


def figure(page: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">([^<]*)<', page).group(1)


def test_manager_reads_the_figures(app):
    build()
    with time_machine.travel(NOW, tick=False):
        manager_web = staff_web_for(app, "manager")  # signed in at that time
        page = manager_web.get("/merchant/reports/", headers=EN).get_data(as_text=True)
    assert figure(page, "members-total") == "4" and figure(page, "members-active") == "1"
    assert figure(page, "points-issued") == "395" and figure(page, "points-redeemed") == "120"
    assert figure(page, "points-expired") == "15" and figure(page, "points-outstanding") == "200"
    assert figure(page, "redemption-rate") == "30.3%"
    assert "2026-06</span>" in page and "2025-07</span>" in page and "2025-06</span>" not in page
    assert 'class="report-bar w-100"' in page  # the largest month
    assert "Mug" in page and page.index("Mug") < page.index("Canvas tote")
    assert 'style="' not in page  # CSP: bars are classes


def test_paid_members_and_revenue(member_web, manager_web, svip):  # noqa: F811
    join_and_pay(member_web)
    page = manager_web.get("/merchant/reports/", headers=EN).get_data(as_text=True)
    assert "Active</span>" in page
    assert figure(page, "paid-revenue") == figure(page, "paid-payments") != "CN¥0.00"
    assert figure(page, "paid-refunds") == "CN¥0.00"


def test_cashier_may_not_read_reports(cashier_web):
    assert cashier_web.get("/merchant/reports/").status_code == 403


def test_navigation_shows_each_role_its_pages(owner_web, manager_web, cashier_web):
    links = {
        "/merchant/points/rules": "owner",
        "/merchant/memberships/plans/": "owner",
        "/merchant/reports/": "manager",
        "/merchant/audit/": "manager",
        "/merchant/mall/items": "manager",
        "/merchant/members/": "cashier",
        "/merchant/mall/orders/": "cashier",
    }
    rank = {"cashier": 0, "manager": 1, "owner": 2}
    for web, role in ((owner_web, "owner"), (manager_web, "manager"), (cashier_web, "cashier")):
        nav = web.get("/merchant/").get_data(as_text=True).split("</nav>")[0]
        for url, least in links.items():
            shown = f'href="{url}"' in nav
            assert shown == (rank[role] >= rank[least]), (role, url)
            if shown:
                assert web.get(url).status_code == 200, (role, url)
