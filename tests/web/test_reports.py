"""The report pages, their period picker and CSV exports, as each role sees them."""

import csv
import io
import re

import time_machine

from tests.conftest import staff_web_for
from tests.reports_data import NOW, build
from tests.web.test_memberships import join_and_pay, svip  # noqa: F401 - fixture

EN = {"Accept-Language": "en"}


def table(page: str, key: str) -> str:
    return re.search(rf'data-testid="table-{key}">(.*?)</section>', page, re.S).group(1)


def row(page: str, key: str, label: str) -> list[str]:
    """The cells after the row heading `label` in table `key`."""
    body = table(page, key)
    found = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', body, re.S)
    return [c.strip() for c in re.findall(r"<td[^>]*>([^<]*)</td>", found.group(1))]


def reports(app, url: str, role: str = "manager", headers=EN):
    with time_machine.travel(NOW, tick=False):
        web = staff_web_for(app, role)  # signed in at that time
        return web.get(url, headers=headers)


def test_members_page_compares_with_the_previous_period(app):
    build()
    page = reports(app, "/merchant/reports/").get_data(as_text=True)
    assert "2026-06-01 to 2026-06-15; previous period: 2026-05-01 to 2026-05-15" in page
    assert row(page, "summary", "New members") == ["2", "1", "100.0%"]
    assert row(page, "summary", "Members at the end of the period") == ["6", "4", "50.0%"]
    assert row(page, "summary", "Growth rate (new / members at the start)") == [
        "50.0%",
        "33.3%",
        "-",
    ]
    assert row(page, "summary", "Active members (a purchase, redemption or sign-in)")[:2] == [
        "4",
        "1",
    ]
    assert row(page, "by_month", "2026-05") == ["1", "4"] and row(page, "by_month", "2026-06") == [
        "2",
        "6",
    ]
    assert row(page, "tiers", "VIP2 Silver") == ["1", "16.6%", "0", "0.0%"]
    assert row(page, "tier_moves", "VIP1 Classic") == ["VIP2 Silver", "up", "1", "0"]
    assert '<title id="members-summary-title">New and active members</title>' in page
    assert 'aria-labelledby="members-summary-title members-summary-desc"' in page
    assert 'style="' not in page  # the content security policy allows no inline styles


def test_retention_triangle(app):
    build()
    page = reports(app, "/merchant/reports/cohorts").get_data(as_text=True)
    assert row(page, "retention", "2026-03") == ["1", "100.0%", "0.0%", "0.0%", "100.0%"]
    assert row(page, "retention", "2026-05") == ["1", "100.0%", "100.0%"]
    assert row(page, "retention", "2026-06") == ["2", "50.0%"]
    assert 'class="num heat-100"' in page


def test_points_page_rates_liability_and_the_healthy_line(app):
    build()
    page = reports(app, "/merchant/reports/points").get_data(as_text=True)
    assert row(page, "flows", "Points issued") == ["375", "80", "368.7%"]
    assert row(page, "flows", "Issued: Campaigns") == ["65", "0", "-"]
    assert row(page, "flows", "Breakage (expired / issued)") == ["4.0%", "0.0%", "-"]
    assert row(page, "flows", "Redemption rate (redeemed / issued)") == ["32.0%", "0.0%", "-"]
    assert row(page, "monthly", "2026-06") == ["375", "120", "15", "32.0%"]
    line = re.search(r'data-testid="chart-line"[^>]*y1="(\d+)"', page).group(1)
    assert "Healthy: 50%" in page and int(line) > 0
    page = reports(app, "/merchant/reports/liability").get_data(as_text=True)
    assert row(page, "liability", "Expiring this month") == ["40", "CN¥0.80"]
    assert row(page, "liability", "In the next 3 months") == ["25", "CN¥0.50"]
    assert row(page, "liability", "Outstanding (liability)") == ["375", "CN¥7.50"]
    assert "0.02 yuan per point" in page


def test_purchases_paid_and_mall_pages(app):
    build()
    page = reports(app, "/merchant/reports/sales").get_data(as_text=True)
    assert row(page, "summary", "Orders") == ["2", "1", "100.0%"]
    assert row(page, "summary", "Average order value") == ["CN¥115.00", "CN¥80.00", "43.7%"]
    freq = "Purchases per buying member per year (12 months to the period&#39;s end)"
    assert row(page, "summary", freq)[:2] == ["1.3", "1.0"]
    assert row(page, "bands", "0-149") == ["5", "83.3%", "CN¥30.00", "13.0%"]
    assert row(page, "bands", "150-499") == ["1", "16.6%", "CN¥200.00", "86.9%"]
    mall = reports(app, "/merchant/reports/mall").get_data(as_text=True)
    assert row(mall, "items", "Mug") == ["2", "2", "20", "CN¥0.00"]


def test_last_month_and_a_custom_period(app):
    build()
    page = reports(app, "/merchant/reports/?period=last_month").get_data(as_text=True)
    assert "2026-05-01 to 2026-05-31; previous period: 2026-04-01 to 2026-04-30" in page
    assert row(page, "summary", "New members") == ["1", "1", "0.0%"]  # E; F in April
    url = "/merchant/reports/sales?period=custom&start=2026-05-01&end=2026-06-01"
    page = reports(app, url).get_data(as_text=True)
    assert row(page, "summary", "Orders")[0] == "2"  # E's two (00:30 on 1 June local included)


def test_a_bad_period_says_why_and_shows_this_month(app):
    build()
    url = "/merchant/reports/?period=custom&start=2026-06-10&end=2026-06-01"
    response = reports(app, url)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The period&#39;s last day comes before its first." in page
    assert row(page, "summary", "New members")[0] == "2"  # this month's figures
    page = reports(app, "/merchant/reports/?period=custom&start=2026-06-01&end=nope").get_data(
        as_text=True
    )
    assert "with days as YYYY-MM-DD" in page


def test_csv_export_is_utf8_with_bom_and_has_the_table_columns(app):
    build()
    response = reports(app, "/merchant/reports/points/flows.csv?period=this_month")
    assert response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    assert (
        'filename="points-flows-20260601-20260615.csv"' in response.headers["Content-Disposition"]
    )
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["Figure", "This period", "Previous period", "Change"]
    assert ["Points issued", "375", "80", "368.7%"] in rows
    assert ["Redemption rate (redeemed / issued)", "32.0%", "0.0%", ""] in rows
    liability = (
        reports(app, "/merchant/reports/liability/liability.csv").get_data().decode("utf-8-sig")
    )
    assert "Outstanding (liability),375,7.50" in liability
    zh = reports(app, "/merchant/reports/mall/items.csv", headers={"Accept-Language": "zh"})
    lines = zh.get_data().decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[0] == "商品" and lines[1].startswith("马克杯,2,2,20,0.00")


def test_every_table_has_a_csv_and_unknown_ones_are_404(app):
    build()
    page = reports(app, "/merchant/reports/points").get_data(as_text=True)
    links = re.findall(r'href="(/merchant/reports/points/\w+\.csv[^"]*)"', page)
    assert len(links) == 2
    assert reports(app, "/merchant/reports/points/nope.csv").status_code == 404
    assert reports(app, "/merchant/reports/nope").status_code == 404


def test_paid_members_and_revenue(member_web, manager_web, svip):  # noqa: F811
    join_and_pay(member_web)
    page = manager_web.get("/merchant/reports/paid", headers=EN).get_data(as_text=True)
    assert row(page, "summary", "Joins")[0] == "1"
    paid = row(page, "summary", "Payments")[0]
    assert row(page, "summary", "Revenue")[0] == paid != "CN¥0.00"
    assert row(page, "summary", "Refunds")[0] == "CN¥0.00"


def test_cashier_may_not_read_reports(cashier_web):
    assert cashier_web.get("/merchant/reports/").status_code == 403
    assert cashier_web.get("/merchant/reports/points").status_code == 403
    assert cashier_web.get("/merchant/reports/points/flows.csv").status_code == 403


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
