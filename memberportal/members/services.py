"""Member use cases: registering, editing the profile."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import exc, select, update
from werkzeug.security import generate_password_hash

from memberportal.accounts.rules import check_password, normalise_contact
from memberportal.audit import services as audit
from memberportal.core.clock import local_date, utcnow
from memberportal.core.db import use_case
from memberportal.core.errors import AlreadyExists, DomainError, NotFound, ValidationFailed
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.members.rules import CONSENT_VERSION, birthday_problem
from memberportal.referrals.services import record_referral
from memberportal.tiers.queries import entry_tier


class ContactTaken(AlreadyExists):
    code = "contact_taken"
    default_message = _l("An account with this phone number or email already exists.")


class ConsentRequired(ValidationFailed):
    code = "consent_required"
    default_message = _l("Accept the privacy notice and the user agreement to join.")


class BirthdayLocked(DomainError):
    code = "birthday_locked"
    status = 409
    default_message = _l("Your birthday is already set; ask the staff in store to correct it.")


class InvalidBirthday(ValidationFailed):
    code = "invalid_birthday"
    default_message = _l("Enter your real birthday: not in the future, not before 1900.")


class ProgramNotOpen(DomainError):
    code = "program_not_open"
    status = 503
    default_message = _l("The member program is not open yet. Please come back soon.")


class ReasonRequired(ValidationFailed):
    code = "reason_required"
    default_message = _l("Give a reason for the correction.")


def new_member_no() -> str:
    """A 10-digit member number; uniqueness is the database's job (see register)."""
    return str(secrets.randbelow(9 * 10**9) + 10**9)


def new_card_code() -> str:
    """The secret the card's QR code carries: unguessable, unlike the member number."""
    return "MP" + secrets.token_hex(10).upper()


@use_case
def register(
    name: str, contact: str, password: str, *, consent_version: str | None, birthday=None,
    referred_by: str | None = None,
) -> Member:  # fmt: skip
    """Create a member at the entry tier; `referred_by` is the invite link's code, if any.

    `consent_version` is the version of the privacy notice and user agreement the person
    accepted (members.rules.CONSENT_VERSION); it is stored with the time. Raises
    ProgramNotOpen (no entry tier yet), ConsentRequired, InvalidContact, WeakPassword,
    InvalidBirthday or ContactTaken. The phone,
    email, member number and card code are UNIQUE in the database, so two simultaneous sign-ups
    with one phone make one member; a clash of random numbers is retried. A known code of
    another member records the referral and credits that member
    (referrals.services.record_referral); an unknown one is ignored.
    """
    tier = entry_tier()
    if tier is None:
        raise ProgramNotOpen()
    if consent_version != CONSENT_VERSION:
        raise ConsentRequired()
    phone, email = normalise_contact(contact)
    check_password(password, contact=phone or email or "")
    if birthday is not None and birthday_problem(birthday, local_date(utcnow())):
        raise InvalidBirthday()
    joined = utcnow()
    password_hash = generate_password_hash(password)
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
            joined_at=joined,
            consent_version=consent_version,
            consented_at=joined,
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


# An imported member has no password yet (the hash matches none): they set one with a
# password reset issued at the store, as for a forgotten password.
IMPORTED_HASH = "!imported"


@use_case
def import_member(name: str, contact: str, *, actor, now) -> Member:
    """A member brought over from another system: at the entry tier, without a password or a
    recorded consent (both are given when they first sign in through a store's reset).
    Raises ProgramNotOpen, InvalidContact, ContactTaken; the same UNIQUE keys as register()
    make one member per phone or email. Audited as "member.imported"."""
    tier = entry_tier()
    if tier is None:
        raise ProgramNotOpen()
    phone, email = normalise_contact(contact)
    for _attempt in range(5):
        member = Member(
            member_no=new_member_no(), card_code=new_card_code(), name=name.strip()[:100],
            phone=phone, email=email, password_hash=IMPORTED_HASH, tier_id=tier.id,
            joined_at=now,
        )  # fmt: skip
        try:
            with db.session.begin_nested():
                db.session.add(member)
        except exc.IntegrityError:
            if _contact_exists(phone, email):
                raise ContactTaken() from None
            continue
        audit.record("member.imported", actor=actor, subject_type="member", subject_id=member.id)
        return member
    raise RuntimeError("could not allocate a unique member number")


def _welcome(member: Member, referred_by: str | None) -> Member:
    audit.record("member.registered", actor=member, subject_type="member", subject_id=member.id)
    # Same transaction: a referrer is credited only if the new member exists.
    record_referral(referred_by, member.id, actor=member, now=member.joined_at)
    return member


@use_case
def update_profile(member_id: int, name: str, birthday, *, actor) -> Member:
    """The member changes their name, and sets their birthday once. Audited; raises
    NotFound, InvalidBirthday (in the future, before 1900), BirthdayLocked (already set to
    another day: staff correct it, see correct_birthday), so editing it cannot earn a second
    birthday coupon. Concurrency: the birthday is written by UPDATE ... WHERE birthday IS NULL,
    so of two first settings at once one wins and the other is told it is set.
    """
    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound()
    before = {"name": member.name, "birthday": str(member.birthday or "")}
    if birthday is not None and birthday != member.birthday:
        if birthday_problem(birthday, local_date(utcnow())):
            raise InvalidBirthday()
        members = Member.__table__
        set_now = db.session.execute(
            update(members)
            .where(members.c.id == member_id, members.c.birthday.is_(None))
            .values(birthday=birthday)
        ).rowcount
        if not set_now:
            current = db.session.scalar(select(members.c.birthday).where(members.c.id == member_id))
            if current != birthday:  # a save of the same day at the same moment is no change
                raise BirthdayLocked()
    member.name = name.strip()
    db.session.flush()
    db.session.refresh(member)
    audit.record(
        "member.profile_updated", actor=actor, subject_type="member", subject_id=member_id,
        before=before, after={"name": member.name, "birthday": str(member.birthday or "")},
    )  # fmt: skip
    return member


@use_case
def correct_birthday(member_id: int, birthday, reason: str, *, actor) -> Member:
    """Staff correct (or clear) a member's birthday, with a reason; audited old -> new.
    Raises NotFound, ReasonRequired, InvalidBirthday."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    if birthday is not None and birthday_problem(birthday, local_date(utcnow())):
        raise InvalidBirthday()
    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound()
    old = str(member.birthday or "")
    member.birthday = birthday
    db.session.flush()
    audit.record(
        "member.birthday_corrected", actor=actor, subject_type="member", subject_id=member_id,
        reason=reason[:500], old=old, new=str(birthday or ""),
    )  # fmt: skip
    return member


def _contact_exists(phone: str | None, email: str | None) -> bool:
    query = db.select(Member.id)
    query = query.where(Member.phone == phone) if phone else query.where(Member.email == email)
    return db.session.scalar(query) is not None
