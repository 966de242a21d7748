"""Points mall tables: categories, items, orders, virtual code pools, per-member counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from memberportal.core.clock import utcnow
from memberportal.core.db import BigID, intpk
from memberportal.core.i18n import localized
from memberportal.coupons.models import Coupon, CouponTemplate
from memberportal.extensions import db
from memberportal.mall.rules import ShippingAddress
from memberportal.tiers.models import Tier

ITEM_KINDS = ("pickup", "shipped", "virtual_code", "coupon")
ITEM_STATES = ("draft", "on_sale", "withdrawn")
ORDER_STATUSES = (
    "awaiting_payment",
    "placed",
    "ready_for_pickup",
    "shipped",
    "fulfilled",
    "cancelled",
)
REFUND_STATES = ("owed", "requested", "refunded")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ",".join(f"'{v}'" for v in values) + ")"


class Category(db.Model):
    __tablename__ = "mall_categories"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    rank: Mapped[int] = mapped_column(default=0)

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en)


class Item(db.Model):
    __tablename__ = "mall_items"
    __table_args__ = (
        CheckConstraint(_in("kind", ITEM_KINDS), name="kind"),
        CheckConstraint(_in("state", ITEM_STATES), name="state"),
        CheckConstraint("points_price >= 0", name="points_not_negative"),
        CheckConstraint("cash_cents >= 0", name="cash_not_negative"),
        CheckConstraint("points_price + cash_cents > 0", name="has_a_price"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        # A coupon item gives exactly one coupon template; no other kind gives one.
        CheckConstraint(
            "(kind = 'coupon') = (coupon_template_id IS NOT NULL)",
            name="coupon_template_exactly_for_coupons",
        ),
        CheckConstraint("per_member_limit IS NULL OR per_member_limit > 0", name="limit_positive"),
        CheckConstraint(
            "sale_starts_at IS NULL OR sale_ends_at IS NULL OR sale_starts_at < sale_ends_at",
            name="window_order",
        ),
        Index("ix_mall_items_state_category", "state", "category_id"),
    )

    id: Mapped[intpk]
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("mall_categories.id", ondelete="RESTRICT")
    )
    kind: Mapped[str] = mapped_column(String(16))
    points_price: Mapped[int]
    cash_cents: Mapped[int] = mapped_column(default=0)
    # Units left to redeem; changed only by conditional updates (services).
    stock: Mapped[int] = mapped_column(default=0)
    per_member_limit: Mapped[int | None]
    sale_starts_at: Mapped[datetime | None]
    sale_ends_at: Mapped[datetime | None]
    min_tier_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("tiers.id", ondelete="RESTRICT")
    )
    paid_only: Mapped[bool] = mapped_column(default=False)
    # What a coupon item gives: an active points-mall coupon template (catalog_services).
    coupon_template_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("coupon_templates.id", ondelete="RESTRICT")
    )
    state: Mapped[str] = mapped_column(String(16), default="draft")
    image_name: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    category: Mapped[Category] = relationship(lazy="joined")
    min_tier: Mapped[Tier | None] = relationship(lazy="joined")
    coupon_template: Mapped[CouponTemplate | None] = relationship()

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en)

    @property
    def description(self) -> str:
        return localized(self.description_zh, self.description_en)


class Order(db.Model):
    __tablename__ = "mall_orders"
    __table_args__ = (
        CheckConstraint(_in("status", ORDER_STATUSES), name="status"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("points_cost >= 0", name="points_not_negative"),
        CheckConstraint("cash_cents >= 0", name="cash_not_negative"),
        CheckConstraint(
            "status <> 'cancelled' OR cancelled_at IS NOT NULL", name="cancelled_has_time"
        ),
        CheckConstraint(
            "status <> 'shipped' OR tracking_no IS NOT NULL", name="shipped_has_tracking"
        ),
        UniqueConstraint("member_id", "request_key", name="uq_mall_orders_request_key"),
        Index("ix_mall_orders_member", "member_id", "id"),
        Index("ix_mall_orders_status", "status", "id"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(BigID, ForeignKey("members.id", ondelete="RESTRICT"))
    item_id: Mapped[int] = mapped_column(BigID, ForeignKey("mall_items.id", ondelete="RESTRICT"))
    request_key: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int]
    # What it cost at the moment of redemption (the item's price may change later).
    points_cost: Mapped[int]
    cash_cents: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20))
    pickup_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    # The ledger entry that took the points; cancelling gives it back.
    spend_entry_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("point_entries.id", ondelete="RESTRICT")
    )
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    hold_expires_at: Mapped[datetime | None]
    checkout_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255))
    paid_at: Mapped[datetime | None]
    carrier: Mapped[str | None] = mapped_column(String(64))
    tracking_no: Mapped[str | None] = mapped_column(String(64))
    shipping_address: Mapped[str | None] = mapped_column(String(500))
    shipped_at: Mapped[datetime | None]
    fulfilled_at: Mapped[datetime | None]
    fulfilled_by: Mapped[str | None] = mapped_column(String(200))
    # The coupon a coupon item's order issued (reason 'mall:<order id>'); voided on cancel.
    coupon_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("coupons.id", ondelete="RESTRICT"), unique=True
    )
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(500))

    item: Mapped[Item] = relationship(lazy="joined")
    coupon: Mapped[Coupon | None] = relationship()
    codes: Mapped[list[VirtualCode]] = relationship(
        back_populates="order", order_by="VirtualCode.id"
    )
    refunds: Mapped[list[MallRefund]] = relationship(
        back_populates="order", order_by="MallRefund.id"
    )

    @property
    def shipping(self) -> ShippingAddress | None:
        return ShippingAddress.from_text(self.shipping_address)


class MallRefund(db.Model):
    """A cash payment to give back: once per payment (UNIQUE payment intent).

    owed: decided (the order was cancelled, or a payment landed after its hold was released);
    requested: the processor accepted the refund; refunded: its charge.refunded event arrived.
    """

    __tablename__ = "mall_refunds"
    __table_args__ = (
        CheckConstraint(_in("state", REFUND_STATES), name="state"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        Index("ix_mall_refunds_state", "state", "id"),
    )

    id: Mapped[intpk]
    order_id: Mapped[int] = mapped_column(BigID, ForeignKey("mall_orders.id", ondelete="RESTRICT"))
    payment_intent_id: Mapped[str] = mapped_column(String(255), unique=True)
    amount_cents: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default="owed")
    refund_id: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship(back_populates="refunds")


class VirtualCode(db.Model):
    """One code of an item's pool; handed to exactly one order by a conditional claim."""

    __tablename__ = "mall_virtual_codes"
    __table_args__ = (
        UniqueConstraint("item_id", "code", name="uq_mall_virtual_codes_item_code"),
        Index("ix_mall_virtual_codes_free", "item_id", "order_id"),
    )

    id: Mapped[intpk]
    item_id: Mapped[int] = mapped_column(BigID, ForeignKey("mall_items.id", ondelete="RESTRICT"))
    code: Mapped[str] = mapped_column(String(128))
    order_id: Mapped[int | None] = mapped_column(
        BigID, ForeignKey("mall_orders.id", ondelete="RESTRICT")
    )
    claimed_at: Mapped[datetime | None]

    order: Mapped[Order | None] = relationship(back_populates="codes")


class MemberItemCount(db.Model):
    """How many units of a limited item a member holds in live orders (the per-member limit)."""

    __tablename__ = "mall_member_counts"
    __table_args__ = (CheckConstraint("redeemed >= 0", name="redeemed_not_negative"),)

    item_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("mall_items.id", ondelete="RESTRICT"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        BigID, ForeignKey("members.id", ondelete="RESTRICT"), primary_key=True
    )
    redeemed: Mapped[int] = mapped_column(default=0)
