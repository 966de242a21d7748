"""Coupon items on the pages: the catalog form, the member's order and coupons, staff cancel."""

import re

from sqlalchemy import func, select

from memberportal.audit.models import AuditEntry
from memberportal.core.clock import utcnow
from memberportal.coupons import template_services
from memberportal.coupons.models import Coupon, CouponTemplate
from memberportal.extensions import db
from memberportal.mall.models import Item, Order
from tests import factories
from tests.coupon_helpers import coupons_of, template
from tests.mall_coupon_helpers import coupon_item, mall_template
from tests.mall_helpers import balance, redeem, stock
from tests.points_helpers import ACTOR, earn
from tests.web.test_mall_orders import EN, confirm_page, post_confirm


def coupon_form(**kw):
    return {
        "name_zh": "满59减10 优惠券",
        "name_en": "10 off 59 coupon",
        "description_zh": "",
        "description_en": "",
        "category_id": str(factories.mall_category().id),
        "kind": "coupon",
        "coupon_template_id": "0",
        "points_price": "500",
        "cash": "0",
        "stock": "100",
        "per_member_limit": "2",
        "min_tier_id": "0",
        **kw,
    }


def field_error(html: str, field: str) -> str:
    """The error shown under one field of the rendered form."""
    match = re.search(
        rf'id="{field}"[^>]*>.*?<p class="error" role="alert">([^<]+)</p>', html, re.S
    )
    return match.group(1) if match else ""


def item_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Item))


def test_manager_creates_a_coupon_item_choosing_an_active_mall_coupon(manager_web):
    mall = mall_template()
    inactive = mall_template(name_en="Old mall coupon")
    tier_coupon = template(name_en="Tier coupon", tier_id=factories.tier("VIP1").id)
    template_services.set_template_active(inactive.id, False, actor=ACTOR, now=utcnow())
    db.session.commit()
    page = manager_web.get("/merchant/mall/items/new", headers=EN).get_data(as_text=True)
    options = re.search(r'<select[^>]*id="coupon_template_id".*?</select>', page, re.S).group(0)
    assert f'value="{mall.id}"' in options and "10 off orders of 59" in options
    assert f'value="{inactive.id}"' not in options and f'value="{tier_coupon.id}"' not in options
    response = manager_web.submit(
        "/merchant/mall/items/new",
        coupon_form(coupon_template_id=str(mall.id)),
        headers=EN,
    )
    assert response.status_code == 303
    item = db.session.scalars(select(Item)).one()
    assert (item.kind, item.coupon_template_id, item.points_price) == ("coupon", mall.id, 500)
    edit = manager_web.get(response.location, headers=EN).get_data(as_text=True)
    assert 'data-testid="item-coupon">10 off orders of 59<' in edit


def test_form_refusals_name_the_coupon_field_and_change_nothing(manager_web):
    mall = mall_template()
    no_coupon = manager_web.submit("/merchant/mall/items/new", coupon_form(), headers=EN)
    assert no_coupon.status_code == 422
    html = no_coupon.get_data(as_text=True)
    assert "Choose the coupon this item gives" in field_error(html, "coupon_template_id")
    pickup = manager_web.submit(
        "/merchant/mall/items/new",
        coupon_form(kind="pickup", coupon_template_id=str(mall.id)),
        headers=EN,
    )
    assert pickup.status_code == 422
    assert "Only a coupon item gives a coupon" in field_error(
        pickup.get_data(as_text=True), "coupon_template_id"
    )
    assert item_count() == 0
    # Editing an existing coupon item to give nothing is refused the same way.
    item = coupon_item()
    url = f"/merchant/mall/items/{item.id}"
    audits = db.session.scalar(select(func.count()).select_from(AuditEntry))
    edit = manager_web.submit(url, coupon_form(category_id=str(item.category_id)), headers=EN)
    assert edit.status_code == 422
    assert "Choose the coupon this item gives" in field_error(
        edit.get_data(as_text=True), "coupon_template_id"
    )
    db.session.expire_all()
    assert db.session.get(Item, item.id).coupon_template_id == item.coupon_template_id
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audits


def test_a_mall_coupon_template_with_a_tier_is_refused_on_the_tier_field(manager_web):
    form = {
        "name_zh": "满59减10",
        "name_en": "10 off 59",
        "amount": "10",
        "min_spend": "59",
        "valid_days": "30",
        "source": "mall",
        "tier_id": str(factories.tier("VIP2").id),
    }
    refused = manager_web.submit("/merchant/coupons/templates/new", form, headers=EN)
    assert refused.status_code == 422
    assert "points-mall coupon is not attached to a tier" in field_error(
        refused.get_data(as_text=True), "tier_id"
    )
    assert db.session.scalar(select(func.count()).select_from(CouponTemplate)) == 0
    saved = manager_web.submit(
        "/merchant/coupons/templates/new", {**form, "tier_id": "0"}, headers=EN
    )
    assert saved.status_code == 303
    listed = manager_web.get("/merchant/coupons/templates", headers=EN).get_data(as_text=True)
    assert "Points mall: bought by redeeming a mall item" in listed


def test_member_redeems_and_sees_the_coupon_on_the_order_and_in_my_coupons(member_web):
    earn(member_web.member.id, 1000)
    item = coupon_item(points_price=500, stock=10)
    html = confirm_page(member_web, item.id)
    response = post_confirm(member_web, item.id, html)
    assert response.status_code == 303
    order = db.session.scalars(select(Order)).one()
    page = member_web.get(response.location, headers=EN).get_data(as_text=True)
    assert 'data-testid="order-status">Fulfilled<' in page
    assert 'data-testid="points-balance">500<' in page
    assert "10 off orders of 59" in page and 'data-testid="see-coupon"' in page
    assert 'data-testid="cancel-order"' in page  # unused: the member may still cancel
    coupons = member_web.get("/coupons/", headers=EN).get_data(as_text=True)
    (coupon,) = coupons_of(member_web.member.id)
    card = re.search(rf'data-coupon-id="{coupon.id}".*?</article>', coupons, re.S).group(0)
    assert "Bought in the points mall" in card
    assert f'href="/mall/orders/{order.id}"' in card
    assert coupon.display_code in card
    # Cancelling it from the order page gives the points back and shows the coupon cancelled.
    url = f"/mall/orders/{order.id}"
    assert member_web.submit(f"{url}/cancel", page=url).status_code == 303
    assert balance(member_web.member.id) == 1000 and stock(item.id) == 10
    after = member_web.get("/coupons/", headers=EN).get_data(as_text=True)
    assert f'data-coupon-id="{coupon.id}"' not in after.split('data-testid="coupon-history"')[0]
    past = re.search(rf'data-coupon-id="{coupon.id}".*?</li>', after, re.S).group(0)
    assert "Cancelled with its points-mall order" in past


def test_staff_cancel_voids_an_unused_coupon_and_refuses_after_a_write_off(cashier_web):
    member = factories.member()
    earn(member.id, 1000)
    item = coupon_item(points_price=500, stock=10)
    first, second = redeem(member.id, item.id), redeem(member.id, item.id)
    url = f"/merchant/mall/orders/{first.id}"
    page = cashier_web.get(url, headers=EN).get_data(as_text=True)
    assert 'data-testid="order-coupon"' in page and "Cancel the order" in page
    response = cashier_web.submit(f"{url}/cancel", {"reason": "changed mind"}, page=url)
    assert response.status_code == 303
    assert balance(member.id) == 500 and stock(item.id) == 9
    assert {c.id: c.state for c in coupons_of(member.id)}[first.coupon_id] == "void"
    # The void coupon cannot be written off at the till.
    code = db.session.get(Coupon, first.coupon_id).code
    refused = cashier_web.submit(
        "/merchant/coupons/write-off/confirm",
        {"code": code, "order_amount": "99"},
        page=f"/merchant/coupons/write-off?code={code}",
        headers=EN,
    )
    assert refused.status_code == 409
    assert "cancelled" in refused.get_data(as_text=True)
    # The second coupon is written off; cancelling its order is refused and changes nothing.
    code = db.session.get(Coupon, second.coupon_id).code
    used = cashier_web.submit(
        "/merchant/coupons/write-off/confirm",
        {"code": code, "order_amount": "59"},
        page=f"/merchant/coupons/write-off?code={code}",
    )
    assert used.status_code == 303
    url = f"/merchant/mall/orders/{second.id}"
    page = cashier_web.get(url, headers=EN).get_data(as_text=True)
    assert "Cancel the order" not in page  # no button for a used coupon's order
    late = cashier_web.client.post(
        f"{url}/cancel",
        data={"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
              "reason": "too late"},
        headers=EN,
    )  # fmt: skip
    assert late.status_code == 422
    assert "already been used, so the order cannot be cancelled" in late.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Order, second.id).status == "fulfilled"
    assert balance(member.id) == 500 and stock(item.id) == 9
