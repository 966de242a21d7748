"""Coupon pages: the member's coupons, the template pages, the cashier's write-off."""

import re

from sqlalchemy import select

from memberportal.audit.models import AuditEntry
from memberportal.core.clock import local_date, utcnow
from memberportal.coupons import services
from memberportal.coupons.models import CouponTemplate
from memberportal.extensions import db
from tests import factories
from tests.conftest import csrf_from
from tests.coupon_helpers import coupons_of, move_to_tier, tier_coupons


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_member_sees_the_vip1_coupon_on_the_card_and_the_coupons_page(member_web):
    tier_coupons()
    card = text_of(member_web.get("/card"))
    assert "我的优惠券（1）" in card
    page = text_of(member_web.get("/coupons/"))
    (coupon,) = coupons_of(member_web.member.id)
    assert "满79减8" in page and "减 ¥8.00" in page and "满 ¥79.00 可用" in page
    assert coupon.display_code in page
    assert f"/coupons/{coupon.id}/qr.svg" in page
    qr = member_web.get(f"/coupons/{coupon.id}/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    # Opening the pages again issues nothing more.
    member_web.get("/coupons/")
    assert len(coupons_of(member_web.member.id)) == 1


def test_the_expiry_date_is_printed_in_the_brand_zone(member_web):
    tier_coupons()
    member_web.get("/coupons/")
    (coupon,) = coupons_of(member_web.member.id)
    page = text_of(member_web.get("/coupons/"))
    assert f"有效期至 {local_date(coupon.expires_at).isoformat()}" in page


def test_a_member_sees_only_their_own_coupons(member_web):
    tier_coupons()
    other = factories.member(contact="13700000042")
    move_to_tier(other.id, "VIP3")
    services.issue_tier_coupons(other.id, utcnow())
    theirs = coupons_of(other.id)
    page = text_of(member_web.get("/coupons/"))
    assert len(theirs) == 3
    for coupon in theirs:
        assert coupon.display_code not in page
        assert member_web.get(f"/coupons/{coupon.id}/qr.svg").status_code == 404
    assert page.count('data-testid="coupon"') == 1


def test_used_coupons_move_to_the_history(member_web, cashier_web):
    tier_coupons()
    member_web.get("/coupons/")
    (coupon,) = coupons_of(member_web.member.id)
    response = cashier_web.submit(
        "/merchant/coupons/write-off/confirm",
        {"code": coupon.code, "order_amount": "100"},
        page=f"/merchant/coupons/write-off?code={coupon.code}",
    )
    assert response.status_code == 303
    page = text_of(member_web.get("/coupons/"))
    assert "暂无可用的优惠券。" in page and "已使用" in page and coupon.display_code not in page


def test_cashier_finds_a_code_sees_member_and_terms_then_writes_it_off(cashier_web):
    tier_coupons()
    member = factories.member(name="韩梅梅")
    services.issue_tier_coupons(member.id, utcnow())
    (coupon,) = coupons_of(member.id)
    found = text_of(cashier_web.get(f"/merchant/coupons/write-off?code={coupon.display_code}"))
    assert "韩梅梅" in found and member.member_no in found and "减 ¥8.00" in found
    assert "订单满 ¥79.00 可减 ¥8.00：请输入订单金额。" in found and "可使用" in found
    assert 'name="order_amount"' in found and "订单金额（元）" in found
    done = cashier_web.submit(
        "/merchant/coupons/write-off/confirm",
        {"code": coupon.code, "order_amount": "88"},
        page=f"/merchant/coupons/write-off?code={coupon.code}",
    )
    assert done.status_code == 303
    flash = text_of(cashier_web.get(done.location))
    assert "优惠券已核销：订单 ¥88.00，减 ¥8.00（满79减8）。" in flash
    again = cashier_web.submit(
        "/merchant/coupons/write-off/confirm",
        {"code": coupon.code, "order_amount": "88"},
        page=done.location,
    )
    assert again.status_code == 409 and "此优惠券已被使用。" in text_of(again)
    assert coupons_of(member.id)[0].state == "used"
    audit = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "coupon.written_off")
    ).one()
    assert audit.actor_id == cashier_web.staff.id and audit.subject_id == coupon.id
    assert audit.details["order_cents"] == 8800 and coupons_of(member.id)[0].used_on_cents == 8800


def test_unknown_code_is_said_plainly(cashier_web):
    page = cashier_web.get("/merchant/coupons/write-off?code=ZZZZZ99999")
    assert page.status_code == 404 and "没有与此券码对应的优惠券。" in text_of(page)
    posted = cashier_web.submit(
        "/merchant/coupons/write-off/confirm",
        {"code": "nope", "order_amount": "50"},
        page="/merchant/coupons/write-off",
    )
    assert posted.status_code == 404 and "没有与此券码对应的优惠券。" in text_of(posted)


def test_cashier_writes_off_from_the_member_page(cashier_web):
    tier_coupons()
    member = factories.member()
    move_to_tier(member.id, "VIP2")
    services.issue_tier_coupons(member.id, utcnow())
    first, second = coupons_of(member.id)
    detail = text_of(cashier_web.get(f"/merchant/members/{member.id}"))
    assert detail.count('data-testid="member-coupon"') == 2 and "减 ¥15.00" in detail
    done = cashier_web.submit(
        "/merchant/coupons/write-off/confirm",
        {"code": second.code, "member_id": str(member.id), "order_amount": "199.5"},
        page=f"/merchant/members/{member.id}",
    )
    assert done.status_code == 303 and done.location.endswith(f"/members/{member.id}")
    after = text_of(cashier_web.get(done.location))
    assert "优惠券已核销：订单 ¥199.50，减 ¥15.00（满169减15）。" in after
    assert after.count('data-testid="member-coupon"') == 1 and "减 ¥8.00" in after
    assert [c.state for c in coupons_of(member.id)] == ["issued", "used"]


def template_form(**kw):
    return {
        "name_zh": "满169减15",
        "name_en": "15 off 169",
        "amount": "15",
        "min_spend": "169",
        "valid_days": "30",
        "source": "tier",
        "tier_id": "0",
        **kw,
    }


def test_manager_creates_edits_and_deactivates_a_template(manager_web):
    vip2 = factories.tier("VIP2")
    created = manager_web.submit(
        "/merchant/coupons/templates/new",
        template_form(tier_id=str(vip2.id)),
    )
    assert created.status_code == 303
    template = db.session.scalars(select(CouponTemplate)).one()
    assert (template.amount_cents, template.min_spend_cents, template.tier_id) == (
        1500,
        16900,
        vip2.id,
    )
    listing = text_of(manager_web.get("/merchant/coupons/templates"))
    assert "满169减15" in listing and "减 ¥15.00" in listing and "30 天" in listing
    url = f"/merchant/coupons/templates/{template.id}"
    form = text_of(manager_web.get(url))
    assert 'value="15.00"' in form and 'value="169.00"' in form
    edited = manager_web.submit(url, template_form(amount="20", tier_id=str(vip2.id)))
    assert edited.status_code == 303
    off = manager_web.submit(f"{url}/deactivate", {}, page=url)
    assert off.status_code == 303
    db.session.expire_all()
    assert template.amount_cents == 2000 and template.active is False
    assert "已停用" in text_of(manager_web.get("/merchant/coupons/templates"))
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject_type == "coupon_template")
    ).all()
    assert actions == [
        "coupon_template.created",
        "coupon_template.updated",
        "coupon_template.deactivated",
    ]


def test_invalid_templates_say_why_and_change_nothing(owner_web):
    cases = [
        ({"amount": "0"}, "金额必须大于零"),
        ({"amount": "8.123"}, "最多两位小数"),
        ({"amount": "80", "min_spend": "79"}, "使用门槛须为 0（无门槛）或高于减免金额。"),
        ({"valid_days": "0"}, 'id="valid_days"'),
        ({"name_en": ""}, "name_en"),
        (
            {"source": "paid", "tier_id": str(factories.tier("VIP1").id)},
            "付费卡优惠券不关联等级：请将等级留空。",
        ),
        ({"per_quarter": "y"}, "只有付费卡优惠券可以按季度发放。"),
        ({"source": "gift"}, 'id="source"'),
    ]
    for change, expected in cases:
        response = owner_web.submit("/merchant/coupons/templates/new", template_form(**change))
        assert response.status_code == 422, change
        page = text_of(response)
        assert expected in page, (change, re.findall(r'class="error"[^>]*>([^<]*)', page))
        assert 'class="error" role="alert"' in page
    assert db.session.scalars(select(CouponTemplate)).all() == []


def test_cashier_may_write_off_but_not_edit_templates(cashier_web):
    assert cashier_web.get("/merchant/coupons/templates").status_code == 403
    assert cashier_web.get("/merchant/coupons/templates/new").status_code == 403
    page = text_of(cashier_web.get("/merchant/coupons/write-off"))
    assert "核销优惠券" in page and "/merchant/coupons/templates" not in page


def test_staff_cannot_open_the_member_coupons_page(cashier_web, client):
    assert cashier_web.get("/coupons/").status_code == 403
    assert client.get("/coupons/").status_code == 302


def test_a_missing_or_invalid_order_amount_is_a_field_error_and_writes_nothing(cashier_web):
    tier_coupons()
    member = factories.member()
    services.issue_tier_coupons(member.id, utcnow())
    (coupon,) = coupons_of(member.id)
    cases = [
        ("", "/merchant/coupons/write-off?code=" + coupon.code, {}),
        ("12.345", "/merchant/coupons/write-off?code=" + coupon.code, {}),
        ("0", f"/merchant/members/{member.id}", {"member_id": str(member.id)}),
        ("abc", f"/merchant/members/{member.id}", {"member_id": str(member.id)}),
    ]
    for amount, page, extra in cases:
        response = cashier_web.submit(
            "/merchant/coupons/write-off/confirm",
            {"code": coupon.code, "order_amount": amount, **extra},
            page=page,
        )
        assert response.status_code == 422, amount
        html = text_of(response)
        # The coupon is shown again with the amount field and its error beside it.
        assert coupon.display_code in html and 'class="field has-error"' in html, amount
        assert 'id="order_amount"' in html and 'class="error" role="alert"' in html
    assert coupons_of(member.id)[0].state == "issued"
    assert (
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "coupon.written_off")
        ).all()
        == []
    )


def test_an_order_below_the_threshold_is_refused_with_both_amounts(cashier_web):
    tier_coupons()
    member = factories.member()
    move_to_tier(member.id, "VIP2")
    services.issue_tier_coupons(member.id, utcnow())
    coupon = coupons_of(member.id)[1]  # 15 off 169
    refused = cashier_web.submit(
        "/merchant/coupons/write-off/confirm",
        {"code": coupon.code, "order_amount": "120", "member_id": str(member.id)},
        page=f"/merchant/members/{member.id}",
    )
    assert refused.status_code == 422
    html = text_of(refused)
    assert "此优惠券需满 ¥169.00 方可使用；本单金额为 ¥120.00。" in html
    state = re.search(r'data-testid="coupon-state">(.*?)</dd>', html, re.S).group(1)
    assert "可使用" in state and f'value="{member.id}"' in html  # still usable, same member
    assert coupons_of(member.id)[1].state == "issued"
    # Corrected on the same page, it goes through and returns to the member.
    done = cashier_web.client.post(
        "/merchant/coupons/write-off/confirm",
        data={
            "csrf_token": csrf_from(html),
            "code": coupon.code,
            "order_amount": "169",
            "member_id": str(member.id),
        },
    )
    assert done.status_code == 303 and done.location.endswith(f"/members/{member.id}")
    assert coupons_of(member.id)[1].used_on_cents == 16900
