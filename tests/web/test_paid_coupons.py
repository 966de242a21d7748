"""Paid-card coupons on the pages: the member sees them, the manager sets them up."""

from datetime import timedelta

from sqlalchemy import select

from memberportal.core.clock import utcnow
from memberportal.coupons.models import CouponTemplate
from memberportal.extensions import db
from tests.coupon_helpers import coupons_of, paid_card, paid_coupons


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_an_svip_member_sees_the_card_coupons_on_the_card_and_coupons_page(member_web):
    paid_coupons()
    now = utcnow()
    paid_card(member_web.member.id, now - timedelta(days=1), now + timedelta(days=364))
    card = text_of(member_web.get("/card"))
    assert "我的优惠券（3）" in card  # VIP1's coupon and the two SVIP ones
    page = text_of(member_web.get("/coupons/"))
    assert "SVIP 无门槛50元券" in page and "减 ¥50.00" in page and "无门槛" in page
    assert "SVIP 满199减30（季度）" in page and "满 ¥199.00 可用" in page
    assert page.count('data-testid="coupon-paid-card"') == 2 and "付费卡" in page
    member_web.get("/coupons/")
    assert len(coupons_of(member_web.member.id)) == 3


def test_a_member_without_the_card_sees_no_card_coupons(member_web):
    paid_coupons()
    page = text_of(member_web.get("/coupons/"))
    assert "SVIP 无门槛50元券" not in page and page.count('data-testid="coupon"') == 1
    assert 'data-testid="coupon-paid-card"' not in page


def test_manager_sets_up_a_quarterly_paid_card_coupon(manager_web):
    form = text_of(manager_web.get("/merchant/coupons/templates/new"))
    assert "发放对象" in form and "付费卡会员" in form and 'name="per_quarter"' in form
    created = manager_web.submit(
        "/merchant/coupons/templates/new",
        {
            "name_zh": "满199减30",
            "name_en": "30 off 199",
            "amount": "30",
            "min_spend": "199",
            "valid_days": "92",
            "source": "paid",
            "tier_id": "0",
            "per_quarter": "y",
        },
    )
    assert created.status_code == 303
    template = db.session.scalars(select(CouponTemplate)).one()
    assert (template.source, template.per_quarter, template.tier_id) == ("paid", True, None)
    listing = text_of(manager_web.get("/merchant/coupons/templates"))
    assert "付费卡，每季度" in listing and "满199减30" in listing
    edit = text_of(manager_web.get(f"/merchant/coupons/templates/{template.id}"))
    assert '<input checked id="source-1" name="source" type="radio" value="paid">' in edit
    assert '<input aria-invalid="false" checked id="per_quarter"' in edit
