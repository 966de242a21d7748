"""The merchant's figures on a small data set made through the services (see reports_data)."""

from datetime import date

from memberportal.reports import queries
from memberportal.reports.rules import format_permille, permille
from tests.points_helpers import assert_invariants
from tests.reports_data import NOW, build


def test_member_figures_cut_months_in_the_brand_time_zone():
    build()
    figures = queries.member_figures(NOW)
    assert (figures.total, figures.active) == (4, 1)
    months = dict(figures.new_by_month)
    assert list(months)[0] == date(2025, 7, 1) and list(months)[-1] == date(2026, 6, 1)
    assert len(months) == 12
    assert months[date(2026, 6, 1)] == 2  # B joined at 01:00 on 1 June in Shanghai
    assert months[date(2026, 5, 1)] == 0
    assert months[date(2026, 3, 1)] == 1
    assert sum(months.values()) == 3  # D joined before the window


def test_tier_distribution_lists_every_tier():
    build()
    assert [n for _name, n in queries.tier_distribution()] == [3, 1, 0, 0]


def test_point_figures_add_up_to_the_liability():
    ids = build()
    p = queries.point_figures()
    assert (p.issued, p.redeemed, p.taken_by_staff, p.expired, p.clawed_back) == (
        395, 120, 10, 15, 50,
    )  # fmt: skip
    assert (p.outstanding, p.debt) == (200, 0)
    assert p.issued - p.redeemed - p.taken_by_staff - p.expired - p.clawed_back == 200
    assert sum(assert_invariants(i)["balance"] for i in ids.values()) == 200
    assert format_permille(permille(p.redeemed, p.issued)) == "30.3%"


def test_top_items_count_orders_not_cancelled():
    build()
    items = [(i.name, i.orders, i.quantity, i.points) for i in queries.top_items()]
    assert [row[1:] for row in items] == [(2, 2, 20), (1, 1, 100)]


def test_no_paid_members_means_zero_revenue():
    paid = queries.paid_figures()
    assert (paid.by_status, paid.revenue_cents) == ([], 0)
