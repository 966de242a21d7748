"""Test data made through the same services the app uses."""

from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from memberportal.accounts.models import StaffUser
from memberportal.demo import TIERS
from memberportal.extensions import db
from memberportal.members import services as member_services
from memberportal.tiers.models import Tier

PASSWORD = "Correct-Horse-42"
_seq = itertools.count(1)
# Hashing with scrypt on every factory call would dominate the suite's time.
_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def reference_tiers() -> None:
    for code, rank, zh, en, threshold, mult, bps, ben_zh, ben_en in TIERS:
        db.session.add(
            Tier(
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
        )
    db.session.commit()


def member(contact: str | None = None, password: str = PASSWORD, name: str = "测试 Tester"):
    contact = contact or f"1390000{next(_seq):04d}"
    return member_services.register(name, contact, password)


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
