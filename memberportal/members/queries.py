"""Reading members, scoped to who may see them."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime

import phonenumbers
from flask import current_app
from sqlalchemy import and_, bindparam, or_, select

from memberportal.accounts.rules import canonical_phone, phone_region
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.members import rules
from memberportal.members.models import Member


def member_by_id(member_id: int) -> Member | None:
    """The member for staff pages; a closed account is gone from them (None)."""
    member = db.session.get(Member, member_id)
    return member if member is not None and member.closed_at is None else None


def normalise_code(code: str | None) -> str:
    """A scanned or typed member code without the spaces people and scanners put in it."""
    return re.sub(r"\s", "", code or "")


def _code_key() -> bytes:
    """The key of the rotating card codes: derived from SECRET_KEY, so rotating the app's
    secret voids every code shown."""
    secret = current_app.config["SECRET_KEY"]
    return hashlib.sha256(f"member-card-code:{secret}".encode()).digest()


@dataclass(frozen=True)
class CardCode:
    code: str  # the digits the QR code carries
    display: str  # the same digits in groups of four
    valid_until: datetime


def card_code_for(member: Member, now: datetime) -> CardCode:
    """The code the member's card shows at `now` (see members.rules.rotating_code)."""
    step = rules.code_step(now)
    code = rules.rotating_code(_code_key(), member.member_no, member.card_code, step)
    return CardCode(code, rules.display_code(code), rules.code_valid_until(step))


@dataclass(frozen=True)
class Lookup:
    """Who a scanned or typed code names, and how: "code" (the card's current rotating code),
    "member_no" (typed by hand: confirm the phone's last digits) or "phone". `expired` is set
    when the code is a rotating code of a real member that is no longer current."""

    member: Member | None
    via: str | None = None
    expired: bool = False


@dataclass(frozen=True)
class MemberCode:
    """What a scanned or typed text can name: a rotating card code (`rotating` set, naming
    `member_no`), or a member number or phone (`member_no` is the text, `phone` its canonical
    form when it reads as one)."""

    member_no: str
    phone: str | None = None
    rotating: str | None = None

    @property
    def shape(self) -> str:
        """Which members it may name: by a rotating code's number, or by number or phone."""
        if self.rotating:
            return "rotating"
        return "number_or_phone" if self.phone else "number"

    @property
    def params(self) -> dict:
        """The values of `match(self.shape)`'s parameters."""
        return {"code_member_no": self.member_no, "code_phone": self.phone}

    @staticmethod
    def match(shape: str) -> tuple:
        """(WHERE, ORDER BY) of the open members a code of this `shape` may name, over the
        parameters `params` gives, for a caller's own query built once per shape: the member
        number is preferred over the phone."""
        member_no = Member.member_no == bindparam("code_member_no")
        if shape == "number_or_phone":
            member_no = or_(member_no, Member.phone == bindparam("code_phone"))
        return (
            and_(member_no, Member.closed_at.is_(None)),
            (Member.member_no != bindparam("code_member_no"), Member.id),
        )

    def check(self, member_no: str, card_secret: str, now: datetime) -> Lookup:
        """How the member found by `where` (their number and card secret) was named: an
        expired rotating code names nobody."""
        if self.rotating:
            if rules.code_is_current(_code_key(), member_no, card_secret, self.rotating, now):
                return Lookup(None, "code")
            return Lookup(None, expired=True)
        return Lookup(None, "member_no" if member_no == self.member_no else "phone")


def parse_code(text: str | None) -> MemberCode | None:
    """What a cashier scans or types: the card's rotating code, a member number or a phone
    (None for an empty text). The card's fixed secret (members.card_code) is never accepted:
    it only keys the rotating codes, so an old screenshot of a card opens nothing."""
    code = normalise_code(text)
    if not code:
        return None
    member_no = rules.split_rotating_code(code)
    if member_no is not None:
        return MemberCode(member_no, rotating=code)
    return MemberCode(code, phone=canonical_phone(text or "") or None)


def lookup_member(text: str, now: datetime | None = None) -> Lookup:
    """Who the card's rotating code, a member number or a phone names, and how (parse_code)."""
    code = parse_code(text)
    if code is None:
        return Lookup(None)
    where, order = MemberCode.match(code.shape)
    member = db.session.scalars(
        select(Member).where(where).order_by(*order).limit(1), code.params
    ).first()
    if member is None:
        return Lookup(None)
    found = code.check(member.member_no, member.card_code, now or utcnow())
    return replace(found, member=None if found.expired else member)


def find_member(code: str, now: datetime | None = None) -> Member | None:
    """Find one member by what a cashier scans or types (see lookup_member)."""
    return lookup_member(code, now).member


def phone_last_digits(member: Member, digits: int = 4) -> str | None:
    """The end of the member's phone, which the cashier asks for when a number was typed."""
    return member.phone[-digits:] if member.phone else None


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
