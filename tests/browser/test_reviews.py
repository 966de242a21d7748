"""A member reviews a purchase on a phone: the error swaps in place, then +growth and the review;
a full refund at the desk takes the review's growth off the card with the purchase's."""

import pytest
from playwright.sync_api import expect

from memberportal.purchases.services import record_purchase
from tests import factories
from tests.browser.test_foundation import staff_sign_in
from tests.browser.test_mall import member_sign_in
from tests.points_helpers import ACTOR, T0

pytestmark = pytest.mark.browser


def test_member_reviews_a_purchase_on_a_phone(phone):
    member = factories.member(contact="13811117777")
    record_purchase(member.id, 5000, "B-1", source="till", store="静安店", actor=ACTOR, now=T0)
    member_sign_in(phone, "13811117777")
    phone.get_by_test_id("purchases-link").click()
    purchase = phone.get_by_test_id("purchase")
    expect(purchase).to_have_count(1)
    expect(purchase.get_by_test_id("purchase-amount")).to_have_text("¥50.00")
    expect(purchase.get_by_test_id("purchase-day")).to_have_text("2026-03-10")
    expect(purchase.get_by_test_id("purchase-store")).to_have_text("静安店")
    purchase.get_by_test_id("write-review").click()

    form = phone.get_by_test_id("review-form")
    form.get_by_label("★★★★", exact=True).check()
    form.locator("textarea").fill("太短")
    phone.evaluate("window.notReloaded = true")
    form.get_by_role("button").click()
    expect(phone.get_by_text("请输入 10 到 500 个字。")).to_be_visible()
    assert phone.evaluate("window.notReloaded") is True  # the 422 was swapped in place
    form.locator("textarea").fill("面包很新鲜，店员也很热情。")
    form.get_by_role("button").click()

    expect(phone.get_by_role("status")).to_have_text("评价已发表：成长值 +10。")
    review = phone.get_by_test_id("review")
    expect(review.get_by_test_id("review-rating")).to_have_text("★★★★☆")
    expect(review.get_by_test_id("review-text")).to_have_text("面包很新鲜，店员也很热情。")
    expect(phone.get_by_test_id("write-review")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.goto("/card")
    expect(phone.get_by_test_id("growth")).to_have_text("60")  # 50 spend + 10 review


def test_a_full_refund_at_the_desk_takes_the_review_growth_off_the_card(phone, desk):
    member = factories.member(contact="13811118888")
    record_purchase(member.id, 3000, "B-0", source="till", actor=ACTOR, now=T0)
    record_purchase(member.id, 5000, "B-1", source="till", actor=ACTOR, now=T0)
    member_sign_in(phone, "13811118888")
    phone.get_by_test_id("purchases-link").click()
    reviewed = phone.get_by_test_id("purchase").filter(has_text="¥50.00")
    reviewed.get_by_test_id("write-review").click()
    form = phone.get_by_test_id("review-form")
    form.get_by_label("★★★★★", exact=True).check()
    form.locator("textarea").fill("面包很新鲜，店员也很热情。")
    form.get_by_role("button").click()
    expect(phone.get_by_role("status")).to_have_text("评价已发表：成长值 +10。")
    phone.goto("/card")
    expect(phone.get_by_test_id("growth")).to_have_text("90")  # 30 + 50 spend + 10 review

    staff_sign_in(desk, factories.staff("cashier"))
    desk.goto(f"/merchant/purchases/member/{member.id}")
    row = desk.get_by_test_id("purchases").locator("tr", has_text="B-1")
    row.locator("input[name=amount]").fill("50.00")
    row.locator("input[name=reason]").fill("顾客退货")
    row.get_by_role("button").click()
    expect(desk.get_by_test_id("refund-confirm")).to_contain_text("顾客退货")
    desk.get_by_test_id("refund-confirm-button").click()
    expect(desk.locator(".flash-success")).to_contain_text(
        "扣回成长值 60，其中 10 为会员评价所得。"
    )

    phone.reload()
    expect(phone.get_by_test_id("growth")).to_have_text("30")  # 90 - (10 review + 50 purchase)
    phone.get_by_test_id("purchases-link").click()
    review = phone.get_by_test_id("purchase").filter(has_text="¥50.00").get_by_test_id("review")
    expect(review.get_by_test_id("review-text")).to_have_text("面包很新鲜，店员也很热情。")
    expect(review.get_by_test_id("review-growth-returned")).to_contain_text("成长值已扣回")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
