"""Catalog use cases (merchant backend): categories, items, restock, withdraw, code pools."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import delete, exists, insert, select, update

from memberportal.audit import services as audit
from memberportal.core.db import use_case
from memberportal.core.errors import AlreadyExists, NotFound
from memberportal.coupons.models import CouponTemplate
from memberportal.extensions import db
from memberportal.mall import images
from memberportal.mall.errors import (
    CHOOSE_MALL_COUPON,
    NO_COUPON_FOR_KIND,
    CatalogRuleBroken,
    ItemHasOrders,
    WrongOrderState,
)
from memberportal.mall.models import ITEM_KINDS, Category, Item, Order, VirtualCode


@dataclass
class ItemInput:
    """What a merchant sets on an item (the form's cleaned data)."""

    name_zh: str
    name_en: str
    category_id: int
    kind: str
    points_price: int
    cash_cents: int = 0
    description_zh: str = ""
    description_en: str = ""
    per_member_limit: int | None = None
    sale_starts_at: datetime | None = None
    sale_ends_at: datetime | None = None
    min_tier_id: int | None = None
    paid_only: bool = False
    # Coupon items only: the active points-mall coupon template the item gives.
    coupon_template_id: int | None = None


def _check(data: ItemInput) -> None:
    if data.kind not in ITEM_KINDS:
        raise CatalogRuleBroken()
    if not (data.name_zh.strip() or data.name_en.strip()):
        raise CatalogRuleBroken()
    if data.points_price < 0 or data.cash_cents < 0 or data.points_price + data.cash_cents == 0:
        raise CatalogRuleBroken()
    if data.per_member_limit is not None and data.per_member_limit <= 0:
        raise CatalogRuleBroken()
    if data.sale_starts_at and data.sale_ends_at and data.sale_starts_at >= data.sale_ends_at:
        raise CatalogRuleBroken()
    if db.session.get(Category, data.category_id) is None:
        raise CatalogRuleBroken()
    _check_coupon(data)


def _check_coupon(data: ItemInput) -> None:
    """A coupon item gives an active points-mall template; other kinds give none (the CHECK
    on mall_items says the same). The error names the field for the form."""
    if data.kind != "coupon":
        if data.coupon_template_id is not None:
            raise CatalogRuleBroken(NO_COUPON_FOR_KIND, field="coupon_template_id")
        return
    template = (
        db.session.get(CouponTemplate, data.coupon_template_id)
        if data.coupon_template_id is not None
        else None
    )
    if template is None or template.source != "mall" or not template.active:
        raise CatalogRuleBroken(CHOOSE_MALL_COUPON, field="coupon_template_id")


def _item(item_id: int) -> Item:
    item = db.session.get(Item, item_id)
    if item is None:
        raise NotFound()
    return item


def _audit_fields(data: ItemInput) -> dict:
    fields = asdict(data)
    for key in ("sale_starts_at", "sale_ends_at"):
        fields[key] = fields[key].isoformat() if fields[key] else None
    return fields


@use_case
def add_category(code: str, name_zh: str, name_en: str, *, actor, rank: int = 0) -> Category:
    """Add a category. Writes one row and its audit; raises AlreadyExists for a used code
    (UNIQUE, so two at once make one)."""
    code = code.strip().lower()
    if db.session.scalar(select(Category.id).where(Category.code == code)) is not None:
        raise AlreadyExists()
    category = Category(code=code, name_zh=name_zh.strip(), name_en=name_en.strip(), rank=rank)
    db.session.add(category)
    db.session.flush()
    audit.record(
        "mall.category_added",
        actor=actor,
        subject_type="mall_category",
        subject_id=category.id,
        code=code,
    )
    return category


@use_case
def update_category(category_id: int, name_zh: str, name_en: str, rank: int, *, actor) -> Category:
    """Rename a category (Chinese and English) and set its place in the list (lower rank
    first). The code stays (filters link by it). Writes the row and an audit row with the
    fields before and after; raises NotFound, CatalogRuleBroken (a blank name)."""
    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound()
    after = {"name_zh": name_zh.strip(), "name_en": name_en.strip(), "rank": rank}
    if not after["name_zh"] or not after["name_en"]:
        raise CatalogRuleBroken()
    changed = {
        key: [getattr(category, key), value]
        for key, value in after.items()
        if getattr(category, key) != value
    }
    for key, value in after.items():
        setattr(category, key, value)
    audit.record(
        "mall.category_updated",
        actor=actor,
        subject_type="mall_category",
        subject_id=category.id,
        changed=changed,
    )
    return category


@use_case
def create_item(
    data: ItemInput, *, actor, now: datetime, stock: int = 0, image: bytes | None = None
) -> Item:
    """Create an item as a draft. Checks the settings and the image (magic bytes and size)
    before writing anything; writes the item and its audit row. Raises CatalogRuleBroken,
    InvalidImage."""
    _check(data)
    if stock < 0 or (data.kind == "virtual_code" and stock):
        raise CatalogRuleBroken()
    image_name = images.store_image(image) if image else None
    item = Item(
        **asdict(data),
        stock=stock,
        state="draft",
        image_name=image_name,
        created_at=now,
        updated_at=now,
    )
    db.session.add(item)
    db.session.flush()
    audit.record(
        "mall.item_created",
        actor=actor,
        subject_type="mall_item",
        subject_id=item.id,
        stock=stock,
        image=image_name,
        **_audit_fields(data),
    )
    return item


@use_case
def update_item(
    item_id: int, data: ItemInput, *, actor, now: datetime, image: bytes | None = None
) -> Item:
    """Edit an item's settings (not its stock or state). Existing orders keep the price they
    paid. Writes the item and an audit row with the fields before and after."""
    item = _item(item_id)
    _check(data)
    if data.kind != item.kind and db.session.scalar(
        select(exists().where((Order.item_id == item.id) | (VirtualCode.item_id == item.id)))
    ):
        raise CatalogRuleBroken()
    image_name = images.store_image(image) if image else item.image_name
    before = {k: getattr(item, k) for k in asdict(data)}
    for key, value in asdict(data).items():
        setattr(item, key, value)
    item.image_name = image_name
    item.updated_at = now
    changed = {
        k: [str(before[k]), str(getattr(item, k))] for k in before if before[k] != getattr(item, k)
    }
    audit.record(
        "mall.item_updated",
        actor=actor,
        subject_type="mall_item",
        subject_id=item.id,
        changed=changed,
        image=image_name,
    )
    return item


@use_case
def restock(item_id: int, units: int, *, actor, now: datetime, reason: str | None = None) -> int:
    """Add `units` of stock (a negative number takes unsold units away, never below zero).
    A single conditional UPDATE, so it adds to whatever redemptions left. Virtual-code items
    are restocked by uploading codes. Returns the new stock."""
    item = _item(item_id)
    if units == 0 or item.kind == "virtual_code":
        raise CatalogRuleBroken()
    result = db.session.execute(
        update(Item)
        .where(Item.id == item_id, Item.stock + units >= 0)
        .values(stock=Item.stock + units, updated_at=now)
        .returning(Item.stock)
    ).first()
    if result is None:
        raise CatalogRuleBroken()
    audit.record(
        "mall.item_restocked",
        actor=actor,
        subject_type="mall_item",
        subject_id=item_id,
        reason=reason,
        units=units,
        stock=result.stock,
    )
    return result.stock


def _set_state(item_id: int, to: str, allowed_from: tuple[str, ...], *, actor, now, reason):
    item = _item(item_id)
    changed = db.session.execute(
        update(Item)
        .where(Item.id == item_id, Item.state.in_(allowed_from))
        .values(state=to, updated_at=now)
    ).rowcount
    if not changed:
        raise WrongOrderState()
    audit.record(
        f"mall.item_{to}",
        actor=actor,
        subject_type="mall_item",
        subject_id=item_id,
        reason=reason,
        previous=item.state,
    )
    db.session.refresh(item)
    return item


@use_case
def publish(item_id: int, *, actor, now: datetime) -> Item:
    """Put a draft or withdrawn item on sale (conditional on its state); audited."""
    return _set_state(item_id, "on_sale", ("draft", "withdrawn"), actor=actor, now=now, reason=None)


@use_case
def withdraw(item_id: int, *, actor, now: datetime, reason: str | None = None) -> Item:
    """Take an item off sale; its orders stay as they are. Audited."""
    return _set_state(
        item_id, "withdrawn", ("draft", "on_sale"), actor=actor, now=now, reason=reason
    )


@use_case
def delete_item(item_id: int, *, actor) -> None:
    """Delete a draft that never had an order (an item with orders is withdrawn instead).
    The delete is conditional on no order existing, and the foreign key backs it."""
    item = _item(item_id)
    if item.state != "draft":
        raise ItemHasOrders()
    db.session.execute(
        delete(VirtualCode).where(VirtualCode.item_id == item_id, VirtualCode.order_id.is_(None))
    )
    gone = db.session.execute(
        delete(Item).where(Item.id == item_id, ~exists().where(Order.item_id == item_id))
    ).rowcount
    if not gone:
        raise ItemHasOrders()
    audit.record(
        "mall.item_deleted",
        actor=actor,
        subject_type="mall_item",
        subject_id=item_id,
        name=item.name_en or item.name_zh,
    )


@use_case
def add_codes(item_id: int, codes: list[str], *, actor, now: datetime) -> int:
    """Add codes to a virtual-code item's pool; stock grows by the number of new codes.
    Codes already in the pool are skipped (UNIQUE per item). Returns how many were added."""
    item = _item(item_id)
    if item.kind != "virtual_code":
        raise CatalogRuleBroken()
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if any(len(c) > 128 for c in wanted):
        raise CatalogRuleBroken()
    known = set(
        db.session.scalars(
            select(VirtualCode.code).where(
                VirtualCode.item_id == item_id, VirtualCode.code.in_(wanted)
            )
        )
    )
    fresh = [c for c in wanted if c not in known]
    if fresh:
        db.session.execute(insert(VirtualCode), [{"item_id": item_id, "code": c} for c in fresh])
        db.session.execute(
            update(Item)
            .where(Item.id == item_id)
            .values(stock=Item.stock + len(fresh), updated_at=now)
        )
    audit.record(
        "mall.codes_added",
        actor=actor,
        subject_type="mall_item",
        subject_id=item_id,
        added=len(fresh),
        skipped=len(wanted) - len(fresh),
    )
    return len(fresh)
