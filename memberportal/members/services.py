"""Member use cases: registering, editing the profile."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import exc
from werkzeug.security import generate_password_hash

from memberportal.accounts.rules import check_password, normalise_contact
from memberportal.audit import services as audit
from memberportal.core.clock import utcnow
from memberportal.core.db import use_case
from memberportal.core.errors import AlreadyExists, NotFound
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.referrals.services import record_referral
from memberportal.tiers.queries import entry_tier


class ContactTaken(AlreadyExists):
    code = "contact_taken"
    default_message = _l("An account with this phone number or email already exists.")


def new_member_no() -> str:
    """A 10-digit member number; uniqueness is the database's job (see register)."""
    return str(secrets.randbelow(9 * 10**9) + 10**9)


def new_card_code() -> str:
    """The secret the card's QR code carries: unguessable, unlike the member number."""
    return "MP" + secrets.token_hex(10).upper()


@use_case
def register(
    name: str, contact: str, password: str, *, birthday=None, referred_by: str | None = None
) -> Member:
    """Create a member at the entry tier; `referred_by` is the invite link's code, if any.

    Raises InvalidContact, WeakPassword, or ContactTaken. The phone, email, member number
    and card code are UNIQUE in the database, so two simultaneous sign-ups with one phone
    make one member; a clash of random numbers is retried. A known code of another member
    records the referral and credits that member (referrals.services.record_referral); an
    unknown one is ignored.
    """
    phone, email = normalise_contact(contact)
    check_password(password, contact=phone or email or "")
    password_hash = generate_password_hash(password)
    tier = entry_tier()
    for _attempt in range(5):
        member = Member(
            member_no=new_member_no(),
            card_code=new_card_code(),
            name=name.strip(),
            phone=phone,
            email=email,
            password_hash=password_hash,
            birthday=birthday,
            tier_id=tier.id,
            joined_at=utcnow(),
        )
        try:
            with db.session.begin_nested():
                db.session.add(member)
        except exc.IntegrityError:
            if _contact_exists(phone, email):
                raise ContactTaken() from None
            continue
        return _welcome(member, referred_by)
    raise RuntimeError("could not allocate a unique member number")


def _welcome(member: Member, referred_by: str | None) -> Member:
    audit.record("member.registered", actor=member, subject_type="member", subject_id=member.id)
    # Same transaction: a referrer is credited only if the new member exists.
    record_referral(referred_by, member.id, actor=member, now=member.joined_at)
    return member


@use_case
def update_profile(member_id: int, name: str, birthday, *, actor) -> Member:
    """The member changes their name and birthday. Audited; raises NotFound.

    A plain update of the member's own row: last write wins, nothing else depends on it.
    """
    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound()
    before = {"name": member.name, "birthday": str(member.birthday or "")}
    member.name, member.birthday = name.strip(), birthday
    db.session.flush()
    audit.record(
        "member.profile_updated", actor=actor, subject_type="member", subject_id=member_id,
        before=before, after={"name": member.name, "birthday": str(birthday or "")},
    )  # fmt: skip
    return member


def _contact_exists(phone: str | None, email: str | None) -> bool:
    query = db.select(Member.id)
    query = query.where(Member.phone == phone) if phone else query.where(Member.email == email)
    return db.session.scalar(query) is not None
