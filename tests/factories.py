"""Test data made through the same services the app uses."""

from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from memberportal.accounts.models import StaffUser
from memberportal.demo import TIERS, reference_tier
from memberportal.extensions import db
from memberportal.members import services as member_services
from memberportal.members.rules import CONSENT_VERSION
from memberportal.tiers.models import Tier

PASSWORD = "Correct-Horse-42"
_seq = itertools.count(1)
# Hashing with scrypt on every factory call would dominate the suite's time.
_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def reference_tiers() -> None:
    db.session.add_all(reference_tier(row) for row in TIERS)
    db.session.commit()


def member(contact: str | None = None, password: str = PASSWORD, name: str = "测试 Tester"):
    contact = contact or f"1390000{next(_seq):04d}"
    return member_services.register(name, contact, password, consent_version=CONSENT_VERSION)


def staff(role: str, email: str | None = None) -> StaffUser:
    user = StaffUser(
        email=email or f"{role}{next(_seq)}@example.com",
        name=f"{role} test",
        role=role,
        password_hash=_HASH,
    )
    db.session.add(user)
    db.session.commit()
    return user


def tier(code: str) -> Tier:
    return db.session.scalars(db.select(Tier).where(Tier.code == code)).one()


def png(width: int = 100, height: int = 100) -> bytes:
    """A real (tiny, grey) PNG of the given size, made without an imaging library."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def mall_category(code: str = "gifts"):
    from memberportal.mall.models import Category

    found = db.session.scalars(db.select(Category).where(Category.code == code)).first()
    if found:
        return found
    category = Category(code=code, name_zh="礼品", name_en="Gifts")
    db.session.add(category)
    db.session.commit()
    return category


def mall_item(**overrides):
    """An on-sale item, made through the catalog use cases (audited like a merchant's)."""
    from memberportal.core.actors import SystemActor
    from memberportal.core.clock import utcnow
    from memberportal.mall import catalog_services as catalog

    actor = SystemActor(audit_label="test")
    stock = overrides.pop("stock", 10)
    state = overrides.pop("state", "on_sale")
    codes = overrides.pop("codes", None)
    fields = {
        "name_zh": "帆布袋",
        "name_en": "Canvas tote",
        "category_id": mall_category().id,
        "kind": "pickup",
        "points_price": 100,
        **overrides,
    }
    now = utcnow()
    item = catalog.create_item(
        catalog.ItemInput(**fields),
        actor=actor,
        now=now,
        stock=0 if fields["kind"] == "virtual_code" else stock,
    )
    if codes:
        catalog.add_codes(item.id, codes, actor=actor, now=now)
    if state == "on_sale":
        catalog.publish(item.id, actor=actor, now=now)
    return item
