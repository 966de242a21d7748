"""A member on a phone claims a purchase that earned nothing, with a photo of the receipt; a
cashier at the desk sees the photo and approves; the member sees the points."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_foundation import staff_sign_in
from tests.browser.test_mall import member_sign_in

pytestmark = pytest.mark.browser


def test_a_claim_approved_end_to_end(phone, desk, tmp_path):
    factories.member(contact="13822223333", name="韩梅梅")
    receipt = tmp_path / "receipt.png"
    receipt.write_bytes(factories.png(320, 480))

    member_sign_in(phone, "13822223333")
    expect(phone.get_by_test_id("points-balance")).to_have_text("0")
    phone.get_by_test_id("purchases-link").click()
    phone.get_by_test_id("claims-link").click()
    phone.get_by_test_id("new-claim").click()
    phone.get_by_label("门店").fill("南京西路店")
    phone.get_by_label("实付金额（元）").fill("128.80")
    phone.get_by_label("小票照片").set_input_files(str(receipt))
    phone.get_by_role("button", name="提交申请").click()
    claim = phone.get_by_test_id("claim")
    expect(claim.get_by_test_id("claim-status")).to_have_text("等待门店审核")
    expect(claim.get_by_test_id("claim-amount")).to_have_text("¥128.80")

    staff_sign_in(desk, factories.staff("cashier"))
    desk.get_by_test_id("nav-claims").click()
    row = desk.get_by_test_id("pending-claim")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("claim-member")).to_contain_text("韩梅梅")
    row.get_by_test_id("open-claim").click()
    photo = desk.get_by_test_id("claim-receipt")
    expect(photo).to_be_visible()
    assert (
        desk.evaluate("document.querySelector('[data-testid=claim-receipt]').naturalWidth") == 320
    )
    desk.get_by_role("button", name="批准并补录消费").click()
    expect(desk.locator(".flash")).to_contain_text("获得 128 积分")
    expect(desk.get_by_test_id("pending-claim")).to_have_count(0)
    expect(desk.get_by_test_id("decided-claim").get_by_test_id("claim-outcome")).to_contain_text(
        "已批准"
    )

    phone.reload()
    expect(claim.get_by_test_id("claim-status")).to_have_text("已批准")
    expect(claim.get_by_test_id("claim-points")).to_have_text("获得 128 积分")
    phone.goto("/card")
    expect(phone.get_by_test_id("points-balance")).to_have_text("128")
