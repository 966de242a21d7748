"""Each report figure against the numbers worked out by hand in tests/reports_data.py."""

from datetime import UTC, date, datetime, timedelta

from memberportal.coupons.models import Coupon
from memberportal.extensions import db
from memberportal.memberships.models import BillingRecord
from memberportal.reports import mall_queries, point_queries, queries, sales_queries
from memberportal.reports.queries import Window
from memberportal.reports.rules import expiry_bucket_starts, month_starts, resolve_period
from tests import factories
from tests.coupon_helpers import paid_card, set_card, template
from tests.points_helpers import assert_invariants
from tests.reports_data import NOW, build, joined

JUNE = Window(datetime(2026, 5, 31, 16, tzinfo=UTC), datetime(2026, 6, 15, 16, tzinfo=UTC))
MAY = Window(datetime(2026, 4, 30, 16, tzinfo=UTC), datetime(2026, 5, 15, 16, tzinfo=UTC))
MONTHS = month_starts(date(2026, 6, 15), 12)  # July 2025 ... June 2026, and 1 July 2026


def test_windows_are_brand_local_days():
    june, may = resolve_period("this_month", date(2026, 6, 15))
    assert (Window.of(june), Window.of(may)) == (JUNE, MAY)


def test_members_new_total_and_growth():
    build()
    june, may = queries.member_counts(JUNE, MAY)
    assert (june.new, june.total, june.before) == (2, 6, 4)  # A and B (B at 01:00 on 1 June)
    assert (may.new, may.total, may.before) == (1, 4, 3)  # E (00:30 on 1 May), not F


def test_active_members_bought_redeemed_or_signed_in():
    build()
    # June: A (bought, redeemed), C (signed in), D (redeemed), E (bought at 00:30 on 1 June);
    # not B (fully refunded), not F. May 1-15: E.
    assert queries.active_members(JUNE, MAY) == [4, 1]


def test_tiers_today_and_moves_in_the_period():
    build()
    june_3 = datetime(2026, 6, 3, tzinfo=UTC)  # A joined on 1 June, reached VIP2 on 5 June
    at = [n for _name, n in queries.tier_distribution(JUNE.end_at, june_3, MAY.end_at)]
    assert at == [[5, 6, 4], [1, 0, 0], [0, 0, 0], [0, 0, 0]]
    moves = queries.tier_moves(JUNE, MAY)
    assert [(m.up, m.counts) for m in moves] == [(True, (1, 0))]


def test_cohorts_cut_join_and_activity_months_in_the_brand_time_zone():
    build()
    c = queries.cohorts(MONTHS)
    assert c.months[0] == date(2025, 7, 1) and c.months[-1] == date(2026, 6, 1)
    sizes = dict(zip(c.months, c.sizes, strict=True))
    assert sizes[date(2026, 6, 1)] == 2  # A, and B who joined on 31 May in UTC
    assert sizes[date(2026, 5, 1)] == 1  # E, who joined on 30 April in UTC
    assert sizes[date(2026, 4, 1)] == 1  # F, 23:30 on 30 April local
    assert sizes[date(2026, 3, 1)] == 1 and sum(c.sizes) == 5  # D joined before the months
    active = dict(zip(c.months, c.active, strict=True))
    assert active[date(2026, 3, 1)] == [1, 0, 0, 1]  # C bought in March, signed in in June
    assert active[date(2026, 4, 1)] == [0, 0, 0]
    assert active[date(2026, 5, 1)] == [1, 1]  # E: 3 May, and 00:30 on 1 June local
    assert active[date(2026, 6, 1)] == [1]  # A; B's only purchase was refunded
    assert len(active[date(2025, 7, 1)]) == 12


def test_point_flows_in_the_period_and_the_previous_one():
    ids = build()
    june, may = point_queries.ledger_summary([JUNE, MAY], MONTHS).windows
    assert june.issued_by_source == {"purchase": 280, "campaign": 65, "adjust": 30}
    assert (june.issued, june.redeemed, june.expired, june.clawed_back) == (375, 120, 15, 50)
    assert (june.granted_by_staff, june.taken_by_staff) == (30, 10)
    assert (may.issued_by_source, may.redeemed, may.expired) == ({"purchase": 80}, 0, 0)
    assert point_queries.sources([june, may]) == ["purchase", "campaign", "adjust"]
    assert sum(assert_invariants(i)["balance"] for i in ids.values()) == 375


def test_points_month_by_month():
    build()
    flows = point_queries.ledger_summary([JUNE, MAY], MONTHS).months
    issued = {m: f.issued for m, f in zip(MONTHS, flows, strict=False) if f.issued}
    assert issued == {date(2026, 3, 1): 100, date(2026, 5, 1): 95, date(2026, 6, 1): 375}
    assert (flows[-1].redeemed, flows[-1].expired) == (120, 15)


def test_liability_by_expiry_bucket_and_its_value():
    build()
    starts = expiry_bucket_starts(date(2026, 6, 15))
    assert starts == [date(2026, 7, 1), date(2026, 10, 1), date(2027, 7, 1)]
    owed = point_queries.liability(starts)
    # F's 40 end this month; F's 25 end at 23:59:59 on 30 September local; the rest in a year.
    assert owed.buckets == [40, 25, 310, 0] and owed.outstanding == 375 and owed.debt == 0
    assert (owed.value_cents, owed.for_points) == (1000, 500)  # the coupon item: 10 yuan / 500


def test_sales_frequency_and_repurchase():
    build()
    year = Window(JUNE.end_at - timedelta(days=365), JUNE.end_at)
    june, may, to_june = sales_queries.sales(JUNE, MAY, year)
    assert (june.orders, june.revenue_cents, june.buyers, june.repeat_buyers) == (2, 23000, 2, 0)
    assert (may.orders, may.revenue_cents, may.buyers, may.repeat_buyers) == (1, 8000, 1, 0)
    assert (to_june.orders, to_june.buyers, to_june.repeat_buyers) == (4, 3, 1)  # E twice
    assert sales_queries.sales(MAY, JUNE)[1] == june  # the same figures, whatever the order


def test_spend_bands_share_members_and_revenue():
    build()
    bands = sales_queries.spend_bands(JUNE)
    # A 200 yuan; E 30 and B 0 (refunded) and the three who bought nothing in 0-149.
    assert [(b.members, b.revenue_cents) for b in bands] == [(5, 3000), (1, 20000), (0, 0), (0, 0)]


def test_top_items_in_the_period():
    build()
    items = mall_queries.top_items(JUNE)
    assert [(i.name, i.orders, i.quantity, i.points) for i in items][0][1:] == (2, 2, 20)
    assert [i.orders for i in items] == [2, 1]  # the cancelled tote does not count
    assert mall_queries.top_items(MAY) == []


def test_coupons_issued_used_and_expired_by_template():
    member = factories.member()
    kept = template(name_en="8 off 79")
    june = JUNE.start_at

    def coupon(code, issued, expires, used=None):
        db.session.add(Coupon(
            code=code, member_id=member.id, template_id=kept.id, reason_key=code,
            amount_cents=800, min_spend_cents=0, issued_at=issued, expires_at=expires,
            state="used" if used else "issued", used_at=used,
        ))  # fmt: skip

    coupon("C1", june + timedelta(days=1), june + timedelta(days=9))  # expired in June
    coupon("C2", june + timedelta(days=2), june + timedelta(days=30), june + timedelta(days=3))
    coupon("C3", MAY.start_at, june + timedelta(days=30), june + timedelta(days=5))  # used in June
    coupon("C4", june + timedelta(days=13), june + timedelta(days=40))  # still open
    db.session.commit()
    [row] = mall_queries.coupons_by_template(JUNE, NOW)
    assert (row.issued, row.used, row.expired, row.off_cents) == (3, 2, 1, 1600)
    [may] = mall_queries.coupons_by_template(MAY, NOW)
    assert (may.issued, may.used, may.expired) == (1, 0, 0)


def test_paid_card_joins_renewals_cancellations_and_revenue():
    before = MAY.start_at - timedelta(days=40)
    free, renewed, cancelled = (joined(before - timedelta(days=1), n) for n in "FRC")
    old = paid_card(renewed.id, before, before + timedelta(days=365))
    gone = paid_card(cancelled.id, before, before + timedelta(days=365))
    new = paid_card(free.id, JUNE.start_at + timedelta(days=2), NOW + timedelta(days=300))
    set_card(gone, status="ended", ended_at=JUNE.start_at + timedelta(days=4))

    def bill(membership_id, member_id, kind, cents, at, ref):
        db.session.add(BillingRecord(membership_id=membership_id, member_id=member_id, kind=kind,
                                     reference=ref, amount_cents=cents, at=at))  # fmt: skip

    bill(old, renewed.id, "payment", 9900, before, "in_1")
    bill(gone, cancelled.id, "payment", 9900, before, "in_2")
    bill(old, renewed.id, "payment", 19900, JUNE.start_at + timedelta(days=1), "in_3")  # renewal
    bill(new, free.id, "payment", 9900, JUNE.start_at + timedelta(days=2), "in_4")  # first
    bill(gone, cancelled.id, "refund", 5000, JUNE.start_at + timedelta(days=4), "refund:ch_2")
    db.session.commit()
    june, may = sales_queries.paid(JUNE), sales_queries.paid(MAY)
    assert (june.members, june.joins, june.renewals, june.cancellations) == (2, 1, 1, 1)
    assert (june.payments_cents, june.refunds_cents, june.revenue_cents) == (29800, 5000, 24800)
    assert june.free_at_start == 1  # three members, two of them paid on 1 June
    assert (may.members, may.joins, may.renewals, may.payments_cents) == (2, 0, 0, 0)
