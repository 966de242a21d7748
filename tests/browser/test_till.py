"""The till on a tablet, keyboard first; staff pages on a phone; a member's cancel confirmed."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from memberportal.core.clock import utcnow
from memberportal.coupons import services as coupons
from memberportal.extensions import db
from memberportal.mall.models import Order
from memberportal.members.queries import card_code_for
from tests import factories
from tests.browser.test_foundation import staff_sign_in
from tests.browser.test_mall import member_sign_in
from tests.coupon_helpers import coupons_of, move_to_tier, paid_card, template
from tests.mall_helpers import redeem
from tests.points_helpers import earn, state

pytestmark = pytest.mark.browser

TABLET = {"width": 820, "height": 1180}


@pytest.fixture
def tablet(browser, live_server):
    context = browser.new_context(
        viewport=TABLET, locale="zh-CN", base_url=live_server, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def test_scan_type_the_amount_pick_a_coupon_and_press_enter(tablet):
    member = factories.member(contact="13900000321")
    move_to_tier(member.id, "VIP3")
    now = utcnow()
    paid_card(member.id, now - timedelta(days=10), now + timedelta(days=355))
    db.session.refresh(member)
    made = template(tier_id=member.tier_id, name_zh="满199减30", amount_cents=3000,
                    min_spend_cents=19900)  # fmt: skip
    coupons.issue_tier_coupons(member.id, now)
    coupon = next(c for c in coupons_of(member.id) if c.template_id == made.id)

    staff_sign_in(tablet, factories.staff("cashier"))
    tablet.get_by_test_id("nav-till").click()
    expect(tablet.locator("#q")).to_be_focused()
    # the scanner types the card's current code and presses Enter
    tablet.keyboard.type(card_code_for(member, utcnow()).code)
    tablet.keyboard.press("Enter")
    expect(tablet.get_by_test_id("checkout")).to_be_visible()
    assert tablet.evaluate("document.activeElement.id") == "amount"
    expect(tablet.get_by_test_id("checkout-discount")).to_have_text("当前优惠 15%")
    tablet.keyboard.type("300")
    expect(tablet.get_by_test_id("quote-paid")).to_have_text("¥255.00")
    tablet.get_by_test_id(f"coupon-{coupon.id}").check()
    expect(tablet.get_by_test_id("quote-coupon")).to_have_text("−¥30.00")
    expect(tablet.get_by_test_id("quote-paid")).to_have_text("¥225.00")
    expect(tablet.get_by_test_id("quote-points")).to_have_text("337")
    tablet.focus("#amount")
    tablet.keyboard.press("Enter")
    receipt = tablet.locator(".flash-success")
    expect(receipt).to_contain_text("订单 ¥300.00，实付 ¥225.00。")
    expect(receipt).to_contain_text("337")
    assert state(member.id)["balance"] == 337
    assert next(c for c in coupons_of(member.id) if c.id == coupon.id).state == "used"
    assert tablet.evaluate("document.activeElement.id") == "amount"  # ready for the next sale


def test_staff_pages_fit_a_phone(phone):
    member = factories.member()
    earn(member.id, 500)
    staff_sign_in(phone, factories.staff("owner"))
    from memberportal.purchases.services import record_purchase
    from tests.points_helpers import ACTOR

    record_purchase(member.id, 12345, "PHONE-WIDE-ORDER-REFERENCE-0001", source="till",
                    actor=ACTOR, now=utcnow())  # fmt: skip
    for url in (
        f"/merchant/purchases/member/{member.id}",
        f"/merchant/members/{member.id}",
        "/merchant/members/?q=139",
        "/merchant/audit/",
        "/merchant/mall/orders/",
        "/merchant/reports/",
    ):
        phone.goto(url)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (url, width)


def test_a_member_confirms_before_an_order_is_cancelled(phone):
    member = factories.member(contact="13900000654")
    earn(member.id, 1000)
    order = redeem(member.id, factories.mall_item(points_price=300, stock=3).id)
    member_sign_in(phone, "13900000654")
    phone.goto(f"/mall/orders/{order.id}")
    expect(phone.get_by_test_id("cancel-order-confirm")).not_to_be_visible()
    phone.get_by_test_id("cancel-order").click()
    step = phone.get_by_test_id("cancel-order-step")
    expect(step).to_contain_text("300 积分将立即退回")
    db.session.expire_all()
    assert db.session.get(Order, order.id).status != "cancelled"
    phone.get_by_test_id("cancel-order-confirm").click()
    expect(phone.get_by_test_id("order-status")).to_have_text("已取消")
    assert state(member.id)["balance"] == 1000
