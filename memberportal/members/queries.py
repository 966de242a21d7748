"""Reading members, scoped to who may see them."""

from __future__ import annotations

import re

import phonenumbers
from sqlalchemy import or_, select

from memberportal.accounts.rules import canonical_phone, phone_region
from memberportal.extensions import db
from memberportal.members.models import Member


def member_by_id(member_id: int) -> Member | None:
    """The member for staff pages; a closed account is gone from them (None)."""
    member = db.session.get(Member, member_id)
    return member if member is not None and member.closed_at is None else None


def normalise_code(code: str | None) -> str:
    """A scanned or typed member code without the spaces people and scanners put in it."""
    return re.sub(r"\s", "", code or "")


def find_member(code: str) -> Member | None:
    """Find one member by what a cashier scans or types: card code, member number or phone."""
    phone = canonical_phone(code or "")
    code = normalise_code(code)
    if not code:
        return None
    matches = [Member.card_code == code.upper(), Member.member_no == code]
    if phone:
        matches.append(Member.phone == phone)
    return db.session.scalars(
        select(Member).where(or_(*matches), Member.closed_at.is_(None))
    ).first()


def phone_prefix(text: str) -> str | None:
    """The stored (E.164) beginning of a phone typed in part: "1380000" -> "+861380000"."""
    digits = re.sub(r"[\s()-]", "", text or "")
    if digits.startswith("+"):
        return digits if digits[1:].isdigit() else None
    if not digits.isdigit():
        return None
    return f"+{phonenumbers.country_code_for_region(phone_region())}{digits}"


def search_members(text: str, limit: int = 20) -> list[Member]:
    """Staff search: an exact code first, else a prefix of number, phone, email or name."""
    exact = find_member(text)
    if exact:
        return [exact]
    text = (text or "").strip()
    if len(text) < 2:
        return []
    like = text.replace("%", r"\%").replace("_", r"\_") + "%"
    prefix = phone_prefix(text)
    phone_like = (prefix or text).replace("%", r"\%").replace("_", r"\_") + "%"
    return list(
        db.session.scalars(
            select(Member)
            .where(
                or_(
                    Member.member_no.like(like, escape="\\"),
                    Member.phone.like(phone_like, escape="\\"),
                    Member.email.like(like.lower(), escape="\\"),
                    Member.name.like(like, escape="\\"),
                ),
                Member.closed_at.is_(None),
            )
            .order_by(Member.id)
            .limit(limit)
        )
    )
