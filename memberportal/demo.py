"""The reference program of the domain notes, as demo data. Loading twice changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from memberportal.accounts.models import StaffUser
from memberportal.accounts.rules import canonical_phone
from memberportal.core.clock import utcnow
from memberportal.core.db import use_case
from memberportal.extensions import db
from memberportal.members import services as member_services
from memberportal.members.models import Member
from memberportal.members.rules import CONSENT_VERSION
from memberportal.memberships import demo as membership_demo
from memberportal.tiers.models import Tier

TIERS = [
    # code, rank, zh, en, growth threshold (yuan of spend), multiplier %, paid-card discount bps
    (
        "VIP1",
        1,
        "VIP1 普卡会员",
        "VIP1 Classic",
        0,
        100,
        0,
        "注册即送“满79减8”券一张",
        "One coupon: 8 off orders of 79, on joining",
    ),
    (
        "VIP2",
        2,
        "VIP2 银卡会员",
        "VIP2 Silver",
        150,
        100,
        500,
        "“满169减15”券一张；开通付费卡享95折",
        "One coupon: 15 off 169; 5% off with the paid card",
    ),
    (
        "VIP3",
        3,
        "VIP3 金卡会员",
        "VIP3 Gold",
        500,
        100,
        1500,
        "无门槛25元券一张；开通付费卡享85折",
        "One no-threshold 25 coupon; 15% off with the paid card",
    ),
    (
        "VIP4",
        4,
        "VIP4 钻石会员",
        "VIP4 Diamond",
        1000,
        120,
        2500,
        "无门槛40元券一张；付费卡75折；积分1.2倍",
        "One no-threshold 40 coupon; 25% off with the paid card; 1.2x points",
    ),
]

STAFF = [
    ("owner@example.com", "店主 Owner", "owner", "owner-demo-2026"),
    ("manager@example.com", "店长 Manager", "manager", "manager-demo-2026"),
    ("cashier@example.com", "收银员 Cashier", "cashier", "cashier-demo-2026"),
]

MEMBERS = [
    ("李雷 Li Lei", "13800000001", "member-demo-2026"),
    ("韩梅梅 Han Meimei", "13800000002", "member-demo-2026"),
    ("Lucy Wang", "lucy@example.com", "member-demo-2026"),
]
# More members, so the reports look like a program: one joining about every four weeks.
CROWD = [(f"演示会员{i:02d} Demo {i:02d}", f"137000000{i:02d}", "member-demo-2026")
         for i in range(1, 13)]  # fmt: skip
# Days before loading that each demo member joined: spread over the past year, and before
# their first demo purchase (points/demo.py).
JOINED_DAYS_AGO = {
    "13800000001": 340, "13800000002": 230, "lucy@example.com": 60,
    **{contact: 360 - 28 * i for i, (_n, contact, _p) in enumerate(CROWD, start=1)},
}  # fmt: skip


def reference_tier(row: tuple) -> Tier:
    """One row of TIERS as a Tier."""
    code, rank, zh, en, threshold, mult, bps, ben_zh, ben_en = row
    return Tier(
        code=code,
        rank=rank,
        name_zh=zh,
        name_en=en,
        growth_threshold=threshold,
        points_multiplier_pct=mult,
        paid_discount_bps=bps,
        benefits_zh=ben_zh,
        benefits_en=ben_en,
    )


@use_case
def load() -> int:
    """Insert whatever part of the demo program is missing; return how many rows were added."""
    added = 0
    existing = set(db.session.scalars(select(Tier.code)))
    for row in TIERS:
        if row[0] not in existing:
            db.session.add(reference_tier(row))
            added += 1
    db.session.flush()
    staff_emails = set(db.session.scalars(select(StaffUser.email)))
    for email, name, role, password in STAFF:
        if email not in staff_emails:
            db.session.add(
                StaffUser(
                    email=email,
                    name=name,
                    role=role,
                    password_hash=generate_password_hash(password),
                )
            )
            added += 1
    contacts = set(db.session.scalars(select(Member.phone))) | set(
        db.session.scalars(select(Member.email))
    )
    now = utcnow()
    for name, contact, password in MEMBERS + CROWD:
        if (canonical_phone(contact) or contact) not in contacts:
            member = member_services.register(
                name, contact, password, consent_version=CONSENT_VERSION
            )
            joined = now - timedelta(days=JOINED_DAYS_AGO[contact])
            member.joined_at = member.consented_at = joined
            added += 1
    from memberportal.mall import demo as mall_demo

    added += mall_demo.load()
    added += membership_demo.load()
    from memberportal.points import demo as points_demo

    added += points_demo.load()
    from memberportal.coupons import demo as coupons_demo

    added += coupons_demo.load()
    from memberportal.wallet import demo as wallet_demo

    added += wallet_demo.load()
    return added
