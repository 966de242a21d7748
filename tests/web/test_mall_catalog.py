"""The catalog in the merchant backend, and the member's browse page."""

import io
import re

from sqlalchemy import select

from memberportal.extensions import db
from memberportal.mall.models import Category, Item
from tests import factories


def item_form(**kw):
    category = factories.mall_category()
    return {
        "name_zh": "保温杯",
        "name_en": "Thermos",
        "description_zh": "",
        "description_en": "",
        "category_id": str(category.id),
        "kind": "pickup",
        "points_price": "1200",
        "cash": "0",
        "stock": "5",
        "per_member_limit": "2",
        "min_tier_id": "0",
        **kw,
    }


def test_manager_creates_an_item_with_an_image_and_puts_it_on_sale(manager_web):
    form = item_form(image=(io.BytesIO(factories.png(300, 300)), "cup.png"))
    response = manager_web.submit(
        "/merchant/mall/items/new", form, content_type="multipart/form-data"
    )
    assert response.status_code == 303
    item = db.session.scalars(select(Item)).one()
    assert (item.name_en, item.points_price, item.stock, item.per_member_limit) == (
        "Thermos",
        1200,
        5,
        2,
    )
    page = manager_web.get(response.location).get_data(as_text=True)
    assert 'data-testid="stock">5<' in page
    image = manager_web.get(f"/mall/images/{item.image_name}")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    image.close()
    url = f"/merchant/mall/items/{item.id}"
    assert manager_web.submit(f"{url}/publish", page=url).status_code == 303
    assert manager_web.submit(f"{url}/restock", {"units": "4"}, page=url).status_code == 303
    db.session.expire_all()
    assert db.session.get(Item, item.id).state == "on_sale"
    assert db.session.get(Item, item.id).stock == 9


def test_a_text_file_named_png_is_refused_with_422(manager_web):
    form = item_form(image=(io.BytesIO(b"not an image at all"), "cup.png"))
    response = manager_web.submit(
        "/merchant/mall/items/new", form, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "PNG" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Item)) == 0


def test_cashier_may_not_edit_the_catalog(cashier_web):
    assert cashier_web.get("/merchant/mall/items").status_code == 403
    assert cashier_web.get("/merchant/mall/orders/").status_code == 200


def test_category_added_from_the_catalog_page(owner_web):
    response = owner_web.submit(
        "/merchant/mall/categories",
        {"code": "Beauty", "name_zh": "美妆", "name_en": "Beauty"},
        page="/merchant/mall/items",
    )
    assert response.status_code == 303
    assert db.session.scalars(select(Category.code)).all() == ["beauty"]


def test_member_browses_with_filters_and_sees_why_not(member_web):
    cheap = factories.mall_item(
        name_en="Sticker", name_zh="贴纸", points_price=0, cash_cents=100, stock=3
    )
    gold = factories.mall_item(
        name_en="Gold candle",
        name_zh="金卡香薰",
        points_price=900,
        min_tier_id=factories.tier("VIP3").id,
    )
    factories.mall_item(name_en="Sold", name_zh="售罄", stock=0)
    factories.mall_item(name_en="Hidden draft", name_zh="草稿", state="draft")
    page = member_web.get("/mall/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Hidden draft" not in page
    assert "Sticker" in page and "3 left" in page and "Sold out" in page
    assert "Your tier is too low for this item." in page
    assert "900 more points needed" in page
    affordable = member_web.get("/mall/?affordable=1", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Sticker" in affordable and "Gold candle" not in affordable
    by_points = member_web.get("/mall/?sort=points_desc").get_data(as_text=True)
    names = re.findall(r'data-testid="item-name">([^<]+)<', by_points)
    assert names[0] == "金卡香薰"
    detail = member_web.get(f"/mall/items/{gold.id}", headers={"Accept-Language": "en"})
    assert "Your tier is too low" in detail.get_data(as_text=True)
    assert member_web.get(f"/mall/items/{cheap.id}").status_code == 200


def test_manager_renames_and_reorders_categories_audited(manager_web, member_web):
    from memberportal.audit.models import AuditEntry
    from memberportal.mall import catalog_services as catalog
    from memberportal.mall.models import Category

    first = factories.mall_category("gifts")
    second = catalog.add_category("tea", "茶", "Tea", actor=manager_web.staff, rank=5)
    db.session.commit()
    url = f"/merchant/mall/categories/{second.id}"
    blank = manager_web.submit(url, {"name_zh": "", "name_en": "Tea", "rank": "5"})
    assert blank.status_code == 422
    response = manager_web.submit(url, {"name_zh": "好茶", "name_en": "Fine tea", "rank": "0"})
    assert response.status_code == 303
    response = manager_web.submit(
        f"/merchant/mall/categories/{first.id}",
        {"name_zh": "礼品", "name_en": "Gifts", "rank": "9"},
    )
    db.session.expire_all()
    assert db.session.get(Category, second.id).name_en == "Fine tea"
    page = manager_web.get("/merchant/mall/items", headers={"Accept-Language": "en"})
    listing = page.get_data(as_text=True)
    assert listing.index("Fine tea") < listing.index("Gifts")
    browse = member_web.get("/mall/", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert browse.index("好茶") < browse.index("礼品")
    entry = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "mall.category_updated", AuditEntry.subject_id == second.id
        )
    ).one()
    assert entry.details["changed"]["name_en"] == ["Tea", "Fine tea"]
    assert entry.actor_label == manager_web.staff.audit_label


def test_withdrawing_and_publishing_say_what_happened(manager_web):
    item = factories.mall_item()
    page = f"/merchant/mall/items/{item.id}"
    withdrawn = manager_web.submit(f"{page}/withdraw", {}, page=page, follow_redirects=True)
    html = withdrawn.get_data(as_text=True)
    assert "商品已下架：会员在商城中将看不到它。" in html
    published = manager_web.submit(f"{page}/publish", {}, page=page, follow_redirects=True)
    assert "商品已上架：会员现在可以兑换。" in published.get_data(as_text=True)
