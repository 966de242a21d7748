"""Catalog use cases on the real database: create, edit, restock, withdraw, codes, audit."""

from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

from memberportal.audit.models import AuditEntry
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.mall import catalog_services as catalog
from memberportal.mall.errors import CatalogRuleBroken, InvalidImage, ItemHasOrders
from memberportal.mall.models import Item, VirtualCode
from tests import factories


def actions(item_id):
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.subject_type == "mall_item", AuditEntry.subject_id == item_id)
            .order_by(AuditEntry.id)
        )
    )


def data(**kw):
    return catalog.ItemInput(
        **{
            "name_zh": "帆布袋",
            "name_en": "Tote",
            "category_id": factories.mall_category().id,
            "kind": "pickup",
            "points_price": 500,
            **kw,
        }
    )


def test_create_with_image_then_edit_restock_withdraw_all_audited():
    manager = factories.staff("manager")
    item = catalog.create_item(
        data(), actor=manager, now=utcnow(), stock=3, image=factories.png(200, 200)
    )
    stored = Path(current_app.instance_path) / "uploads" / "mall" / item.image_name
    assert stored.read_bytes() == factories.png(200, 200)
    assert item.state == "draft" and item.stock == 3

    catalog.update_item(
        item.id, data(points_price=450, name_en="Big tote"), actor=manager, now=utcnow()
    )
    assert catalog.restock(item.id, 7, actor=manager, now=utcnow()) == 10
    catalog.publish(item.id, actor=manager, now=utcnow())
    catalog.withdraw(item.id, actor=manager, now=utcnow(), reason="season over")
    db.session.expire_all()
    item = db.session.get(Item, item.id)
    assert (item.points_price, item.name_en, item.stock, item.state) == (
        450,
        "Big tote",
        10,
        "withdrawn",
    )
    assert actions(item.id) == [
        "mall.item_created",
        "mall.item_updated",
        "mall.item_restocked",
        "mall.item_on_sale",
        "mall.item_withdrawn",
    ]
    updated = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "mall.item_updated")
    ).one()
    assert updated.details["changed"]["points_price"] == ["500", "450"]
    assert updated.actor_label == manager.audit_label


@pytest.mark.parametrize(
    "bad",
    [
        {"points_price": 0},
        {"points_price": -1},
        {"kind": "stored_value"},
        {"per_member_limit": 0},
        {"name_zh": " ", "name_en": ""},
    ],
)
def test_bad_settings_change_nothing(bad):
    with pytest.raises(CatalogRuleBroken):
        catalog.create_item(data(**bad), actor=factories.staff("manager"), now=utcnow())
    assert db.session.scalar(select(db.func.count()).select_from(Item)) == 0


def test_a_fake_image_is_refused_and_nothing_is_written():
    with pytest.raises(InvalidImage):
        catalog.create_item(
            data(), actor=factories.staff("manager"), now=utcnow(), image=b"<?php echo 1; ?>"
        )
    assert db.session.scalar(select(db.func.count()).select_from(Item)) == 0


def test_restock_never_takes_stock_below_zero():
    item = factories.mall_item(stock=2)
    with pytest.raises(CatalogRuleBroken):
        catalog.restock(item.id, -3, actor=factories.staff("manager"), now=utcnow())
    assert catalog.restock(item.id, -2, actor=factories.staff("manager"), now=utcnow()) == 0


def test_codes_fill_the_pool_and_the_stock_once():
    item = factories.mall_item(kind="virtual_code", codes=["A-1", "A-2", "A-2", " "])
    assert db.session.get(Item, item.id).stock == 2
    added = catalog.add_codes(item.id, ["A-2", "A-3"], actor=factories.staff("owner"), now=utcnow())
    db.session.expire_all()
    assert added == 1 and db.session.get(Item, item.id).stock == 3
    assert db.session.scalar(select(db.func.count()).select_from(VirtualCode)) == 3
    with pytest.raises(CatalogRuleBroken):
        catalog.restock(item.id, 5, actor=factories.staff("owner"), now=utcnow())


def test_a_draft_can_be_deleted_an_item_on_sale_only_withdrawn():
    draft = factories.mall_item(state="draft")
    catalog.delete_item(draft.id, actor=factories.staff("manager"))
    assert db.session.get(Item, draft.id) is None
    live = factories.mall_item()
    with pytest.raises(ItemHasOrders):
        catalog.delete_item(live.id, actor=factories.staff("manager"))
