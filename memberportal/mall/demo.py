"""Demo mall: a handful of items across kinds (one gives the demo's points-mall coupon).
Loading twice adds nothing."""

from __future__ import annotations

from sqlalchemy import select

from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.coupons import demo as coupons_demo
from memberportal.extensions import db
from memberportal.mall import catalog_services as catalog
from memberportal.mall.models import Category, Item
from memberportal.tiers.models import Tier

ACTOR = SystemActor(audit_label="demo data")

CATEGORIES = [
    ("gifts", "精选礼品", "Gifts", 1),
    ("beauty", "美妆个护", "Beauty", 2),
    ("digital", "数字权益", "Digital", 3),
]

# name_zh, name_en, category, kind, points, cash cents, stock, limit, min tier, paid only, text
ITEMS = [
    (
        "品牌帆布袋",
        "Brand canvas tote",
        "gifts",
        "pickup",
        500,
        0,
        50,
        2,
        None,
        False,
        "门店自提，环保帆布袋。",
        "Pick it up in store: a sturdy canvas tote.",
    ),
    (
        "护手霜 50ml",
        "Hand cream 50ml",
        "beauty",
        "shipped",
        1000,
        0,
        20,
        1,
        None,
        False,
        "包邮到家。",
        "Shipped to your door.",
    ),
    (
        "视频会员月卡",
        "Video VIP, one month",
        "digital",
        "virtual_code",
        800,
        0,
        0,
        1,
        None,
        False,
        "兑换后显示兑换码。",
        "The code is shown right after redeeming.",
    ),
    (
        "金卡专享香薰",
        "Gold members' scented candle",
        "gifts",
        "pickup",
        1500,
        0,
        10,
        1,
        "VIP3",
        False,
        "VIP3 及以上会员可兑。",
        "For VIP3 members and above.",
    ),
    (
        "付费会员专享保温杯",
        "Paid members' thermos",
        "gifts",
        "pickup",
        1200,
        0,
        15,
        1,
        None,
        True,
        "付费卡会员专享。",
        "Only for paid-card members.",
    ),
    (
        "积分+现金 蓝牙耳机",
        "Earbuds, points + cash",
        "digital",
        "shipped",
        3000,
        9900,
        5,
        1,
        None,
        False,
        "3000 积分 + 99 元。",
        "3000 points plus 99 yuan, paid online.",
    ),
    (
        "满59减10 优惠券",
        "10 off 59 coupon",
        "digital",
        "coupon",
        500,
        0,
        100,
        2,
        None,
        False,
        "兑换后立即发到“我的优惠券”，30 天内有效，满 59 元可用。",
        "Goes straight to My coupons: 10 off an order of 59 or more, valid for 30 days.",
    ),
]

CODES = [f"DEMO-VIP-{n:04d}" for n in range(1, 6)]


def load() -> int:
    """Insert the demo categories and items that are missing (joins the caller's transaction)."""
    added = 0
    known = set(db.session.scalars(select(Category.code)))
    for code, zh, en, rank in CATEGORIES:
        if code not in known:
            catalog.add_category(code, zh, en, actor=ACTOR, rank=rank)
            added += 1
    categories = {c.code: c.id for c in db.session.scalars(select(Category))}
    tiers = {t.code: t.id for t in db.session.scalars(select(Tier))}
    names = set(db.session.scalars(select(Item.name_en)))
    now = utcnow()
    for zh, en, cat, kind, pts, cash, stock, limit, tier, paid, d_zh, d_en in ITEMS:
        if en in names:
            continue
        data = catalog.ItemInput(
            name_zh=zh,
            name_en=en,
            description_zh=d_zh,
            description_en=d_en,
            category_id=categories[cat],
            kind=kind,
            points_price=pts,
            cash_cents=cash,
            per_member_limit=limit,
            min_tier_id=tiers.get(tier) if tier else None,
            paid_only=paid,
            coupon_template_id=coupons_demo.mall_coupon_id() if kind == "coupon" else None,
        )
        item = catalog.create_item(data, actor=ACTOR, now=now, stock=stock)
        if kind == "virtual_code":
            added += catalog.add_codes(item.id, CODES, actor=ACTOR, now=now)
        catalog.publish(item.id, actor=ACTOR, now=now)
        added += 1
    return added
