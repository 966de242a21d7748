"""A reload after an error on a POST-only staff URL goes back to the page the form lives on."""

from memberportal.extensions import db
from memberportal.mall.models import Order
from tests import factories
from tests.points_helpers import earn, state
from tests.web.test_access import merchant_rules, sample_url
from tests.web.test_points_pages import record, refund_key


def test_reloading_a_refund_error_goes_back_to_the_member_page(cashier_web):
    m = factories.member()
    record(cashier_web, m.id, "100", "RL-1")
    from memberportal.purchases.models import Purchase

    pid = db.session.scalar(db.select(Purchase.id))
    url = f"/merchant/purchases/{pid}/refund"
    page = f"/merchant/purchases/member/{m.id}"
    failed = cashier_web.submit(
        url, {"amount": "500", "request_key": refund_key(cashier_web, page)}, page=page
    )
    assert failed.status_code == 422
    reload = cashier_web.get(url)  # the browser's address bar still shows the POST URL
    assert reload.status_code == 303 and reload.location.endswith(page)
    assert "RL-1" in cashier_web.get(reload.location).get_data(as_text=True)
    assert state(m.id)["balance"] == 100
    assert cashier_web.get("/merchant/purchases/999999/refund").status_code == 404


def test_reloading_a_hand_over_error_goes_back_to_the_queue(cashier_web):
    member = factories.member()
    earn(member.id, 500)
    from tests.mall_helpers import redeem

    order = redeem(member.id, factories.mall_item().id)
    url = "/merchant/mall/orders/hand-over"
    failed = cashier_web.submit(url, {"code": "NOPE0000"}, page="/merchant/mall/orders/")
    assert failed.status_code >= 400
    reload = cashier_web.get(url)
    assert reload.status_code == 303 and reload.location.endswith("/merchant/mall/orders/")
    assert f">{order.id}<" in cashier_web.get(reload.location).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "ready_for_pickup"


def test_no_post_only_staff_url_answers_a_reload_with_405(app, owner_web):
    for rule in merchant_rules(app):
        if "POST" not in rule.methods:
            continue
        response = owner_web.get(sample_url(rule))
        assert response.status_code != 405, rule.rule


def test_member_post_only_urls_send_a_reload_back_to_their_page(member_web):
    for url, page in (
        ("/card/sign-in", "/card"),
        ("/membership/join/SVIP", "/membership/"),
        ("/membership/cancel", "/membership/"),
        ("/my-data/export", "/my-data/"),
        ("/my-data/close", "/my-data/"),
    ):
        response = member_web.get(url)
        assert response.status_code == 303 and response.location.endswith(page), url
    assert member_web.get("/mall/orders/999999/cancel").status_code == 404  # not theirs


def test_reloading_a_member_order_cancel_goes_back_to_the_order(member_web):
    member = member_web.member
    earn(member.id, 500)
    from tests.mall_helpers import redeem

    order = redeem(member.id, factories.mall_item().id)
    response = member_web.get(f"/mall/orders/{order.id}/cancel")
    assert response.status_code == 303 and response.location.endswith(f"/mall/orders/{order.id}")
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "ready_for_pickup"
