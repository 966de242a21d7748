"""The staff member page shows the paid card and the latest mall orders, as words."""

from tests.points_helpers import earn
from tests.web.test_mall_orders import EN
from tests.webhooks.stripe_sim import membership


def test_staff_see_the_paid_card_and_the_latest_orders(sim, payer, cashier_web, owner_web):
    url = f"/merchant/members/{payer.id}"
    before = cashier_web.get(url, headers=EN).get_data(as_text=True)
    assert 'data-testid="membership-none"' in before
    sub = sim.subscribe(payer)
    paid_until = membership(sub).current_period_end
    earn(payer.id, 500)
    from tests import factories
    from tests.mall_helpers import redeem

    order = redeem(payer.id, factories.mall_item(name_en="Tote").id)
    page = cashier_web.get(url, headers=EN).get_data(as_text=True)
    assert 'data-testid="membership-status">Active<' in page
    assert "SVIP" in page or "Super" in page
    from memberportal.core.clock import brand_tz

    assert paid_until.astimezone(brand_tz()).date().isoformat() in page
    assert f"/merchant/mall/orders/{order.id}" in page and "Tote" in page
    assert 'data-testid="member-order-status">Ready for pickup<' in page
    assert "/merchant/memberships/members/" not in page  # billing stays with the owner
    assert f"/merchant/memberships/members/{payer.id}" in owner_web.get(url).get_data(as_text=True)
    zh = cashier_web.get(url).get_data(as_text=True)
    assert ">Active<" not in zh and ">Ready for pickup<" not in zh
    sim.refund(sub)
    revoked = cashier_web.get(url, headers=EN).get_data(as_text=True)
    assert 'data-testid="membership-status">Revoked<' in revoked
