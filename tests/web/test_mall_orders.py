"""Redeeming on the member's pages, and the cashier's fulfilment queue."""

import re

from sqlalchemy import select

from memberportal.extensions import db
from memberportal.mall.models import Order
from tests import factories
from tests.conftest import csrf_from
from tests.mall_helpers import balance, order_count, stock
from tests.points_helpers import earn

EN = {"Accept-Language": "en"}


def confirm_page(web, item_id, quantity=1):
    html = web.get(f"/mall/items/{item_id}/confirm?quantity={quantity}", headers=EN)
    return html.get_data(as_text=True)


def post_confirm(web, item_id, html, quantity=1):
    key = re.search(r'name="request_key"[^>]*value="([^"]+)"', html).group(1)
    data = {"csrf_token": csrf_from(html), "request_key": key, "quantity": str(quantity)}
    return web.client.post(f"/mall/items/{item_id}/confirm", data=data, headers=EN)


def test_redeem_with_confirmation_shows_the_new_balance_and_the_pickup_code(member_web):
    earn(member_web.member.id, 1000)
    item = factories.mall_item(points_price=300, stock=5, per_member_limit=3)
    detail = member_web.get(f"/mall/items/{item.id}").get_data(as_text=True)
    assert '<option value="3">' in detail and '<option value="4">' not in detail
    html = confirm_page(member_web, item.id, 2)
    assert 'data-testid="total-points">600<' in html
    assert 'data-testid="balance-after">400<' in html
    response = post_confirm(member_web, item.id, html, 2)
    assert response.status_code == 303
    # The same form sent again (a double click) makes no second order.
    assert post_confirm(member_web, item.id, html, 2).status_code == 303
    assert order_count() == 1 and balance(member_web.member.id) == 400 and stock(item.id) == 3
    page = member_web.get(response.location, headers=EN).get_data(as_text=True)
    order = db.session.scalars(select(Order)).one()
    assert "Redeemed! Your points now: 400" in page
    assert f'data-testid="pickup-code">{order.pickup_code}<' in page
    qr = member_web.get(f"/mall/orders/{order.id}/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    listing = member_web.get("/mall/orders", headers=EN).get_data(as_text=True)
    assert "Ready for pickup" in listing


def test_not_enough_points_is_a_422_with_the_reason_and_nothing_changes(member_web):
    earn(member_web.member.id, 100)
    item = factories.mall_item(points_price=300)
    response = post_confirm(member_web, item.id, confirm_page(member_web, item.id))
    assert response.status_code == 422
    assert "Not enough points" in response.get_data(as_text=True)
    assert order_count() == 0 and balance(member_web.member.id) == 100 and stock(item.id) == 10
    page = member_web.get(f"/mall/items/{item.id}", headers={"Accept-Language": "en"})
    assert 'data-testid="points-missing">200 more points needed<' in page.get_data(as_text=True)


def test_member_cancels_and_gets_points_back_but_cannot_see_others_orders(member_web):
    earn(member_web.member.id, 500)
    item = factories.mall_item(points_price=200)
    post_confirm(member_web, item.id, confirm_page(member_web, item.id))
    order = db.session.scalars(select(Order)).one()
    url = f"/mall/orders/{order.id}"
    response = member_web.submit(f"{url}/cancel", page=url)
    assert response.status_code == 303
    page = member_web.get(url, headers=EN).get_data(as_text=True)
    assert "Cancelled" in page and 'data-testid="points-balance">500<' in page
    assert stock(item.id) == 10
    stranger = factories.member(contact="13700000002")
    earn(stranger.id, 500)
    from tests.mall_helpers import redeem

    theirs = redeem(stranger.id, item.id)
    assert member_web.get(f"/mall/orders/{theirs.id}").status_code == 404
    assert member_web.get(f"/mall/orders/{theirs.id}/qr.svg").status_code == 404
    # Posting a cancel for the stranger's order (with a valid token) is a 404 that changes nothing.
    refused = member_web.submit(f"/mall/orders/{theirs.id}/cancel", page=url)
    assert refused.status_code == 404
    db.session.expire_all()
    assert db.session.get(Order, theirs.id).status == "ready_for_pickup"
    assert balance(stranger.id) == 300 and stock(item.id) == 9


def test_cashier_types_the_code_and_a_second_try_is_told_already_done(cashier_web):
    member = factories.member()
    earn(member.id, 500)
    from tests.mall_helpers import redeem

    order = redeem(member.id, factories.mall_item().id)
    queue = cashier_web.get("/merchant/mall/orders/").get_data(as_text=True)
    assert f">{order.id}<" in queue
    response = cashier_web.submit(
        "/merchant/mall/orders/hand-over",
        {"code": order.pickup_code},
        page="/merchant/mall/orders/",
    )
    assert response.status_code == 303
    again = cashier_web.submit(
        "/merchant/mall/orders/hand-over",
        {"code": order.pickup_code},
        page="/merchant/mall/orders/",
        headers=EN,
    )
    assert again.status_code == 409
    assert "Already done" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "fulfilled"


def test_staff_ships_and_cancels_with_a_reason(cashier_web):
    member = factories.member()
    earn(member.id, 5000)
    from tests.mall_helpers import redeem

    shipped = redeem(member.id, factories.mall_item(kind="shipped", points_price=1000).id)
    url = f"/merchant/mall/orders/{shipped.id}"
    response = cashier_web.submit(
        f"{url}/ship", {"carrier": "SF", "tracking_no": "SF1001"}, page=url
    )
    assert response.status_code == 303
    pickup = redeem(member.id, factories.mall_item(name_en="Mug", points_price=500).id)
    url = f"/merchant/mall/orders/{pickup.id}"
    assert cashier_web.submit(f"{url}/cancel", {"reason": ""}, page=url).status_code == 422
    assert cashier_web.submit(f"{url}/cancel", {"reason": "broken"}, page=url).status_code == 303
    db.session.expire_all()
    assert db.session.get(Order, shipped.id).tracking_no == "SF1001"
    assert db.session.get(Order, pickup.id).cancel_reason == "broken"
    assert balance(member.id) == 4000


def test_a_shipped_item_asks_where_to_send_it_and_the_queue_shows_it(member_web, cashier_web):
    earn(member_web.member.id, 1000)
    item = factories.mall_item(kind="shipped", points_price=300, stock=2)
    html = confirm_page(member_web, item.id)
    assert 'data-testid="shipping"' in html and 'name="ship_address"' in html
    key = re.search(r'name="request_key"[^>]*value="([^"]+)"', html).group(1)
    data = {"csrf_token": csrf_from(html), "request_key": key, "quantity": "1"}
    url = f"/mall/items/{item.id}/confirm"
    missing = member_web.client.post(url, data=data, headers=EN)
    assert missing.status_code == 422 and "Enter the recipient" in missing.get_data(as_text=True)
    bad = {**data, "ship_name": "Li\x1bLei", "ship_phone": "13800000000", "ship_address": "1 Rd"}
    assert member_web.client.post(url, data=bad, headers=EN).status_code == 422
    assert order_count() == 0 and balance(member_web.member.id) == 1000 and stock(item.id) == 2
    good = {**bad, "ship_name": " 李雷 ", "ship_address": "上海市南京路 1 号"}
    assert member_web.client.post(url, data=good, headers=EN).status_code == 303
    order = db.session.scalars(select(Order)).one()
    assert order.shipping_address == "李雷\n13800000000\n上海市南京路 1 号"
    page = member_web.get(f"/mall/orders/{order.id}", headers=EN).get_data(as_text=True)
    assert "李雷 · 13800000000<br>上海市南京路 1 号" in page
    queue = cashier_web.get("/merchant/mall/orders/", headers=EN).get_data(as_text=True)
    assert "李雷 · 13800000000" in queue and "上海市南京路 1 号" in queue


def test_a_missing_address_line_is_named_once_under_its_own_field(member_web):
    earn(member_web.member.id, 1000)
    item = factories.mall_item(kind="shipped", points_price=300, stock=2)
    html = confirm_page(member_web, item.id)
    key = re.search(r'name="request_key"[^>]*value="([^"]+)"', html).group(1)
    data = {"csrf_token": csrf_from(html), "request_key": key, "quantity": "1"}
    data |= {"ship_name": "李雷", "ship_phone": "123", "ship_address": ""}
    page = member_web.client.post(f"/mall/items/{item.id}/confirm", data=data)
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "请填写收件人姓名" not in text
    assert text.count("请填写快递员能联系到的手机号。") == 1
    assert text.count("请填写完整的收货地址（不能包含特殊字符）。") == 1
    assert order_count() == 0
