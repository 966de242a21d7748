"""Account use cases: signing in, creating staff (the owner's other staff changes: staff.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import exc, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from memberportal.accounts import staff as staff_accounts
from memberportal.accounts.errors import StaffDeactivated
from memberportal.accounts.models import StaffUser
from memberportal.accounts.rules import InvalidContact, check_password, normalise_contact
from memberportal.audit import services as audit
from memberportal.core.actors import Actor, SystemActor
from memberportal.core.auth import Role
from memberportal.core.db import use_case
from memberportal.core.errors import AlreadyExists, DomainError, ValidationFailed
from memberportal.extensions import db
from memberportal.members.models import Member

# Checking a password against this when no account matches keeps the response time the
# same, so timing does not tell whether an account exists.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def authenticate_member(contact: str, password: str) -> Member | None:
    """The member for these credentials, or None; never says which part was wrong."""
    try:
        phone, email = normalise_contact(contact)
    except InvalidContact:
        check_password_hash(_DUMMY_HASH, password)
        return None
    query = select(Member).where(Member.phone == phone if phone else Member.email == email)
    member = db.session.scalars(query).first()
    # An imported member without a password yet takes as long to refuse as a wrong one.
    if member is None or not member.is_active or "$" not in member.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return member if check_password_hash(member.password_hash, password) else None


def authenticate_staff(email: str, password: str) -> StaffUser | None:
    """The staff account for these credentials, or None; never says which part was wrong.
    Raises StaffDeactivated for the right password of a deactivated account, so the person
    who knows it learns why, and nobody else learns that the account exists."""
    staff = db.session.scalars(
        select(StaffUser).where(StaffUser.email == (email or "").strip().lower())
    ).first()
    if staff is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(staff.password_hash, password):
        return None
    if not staff.is_active:
        raise StaffDeactivated()
    return staff


# Who tried a sign-in that failed: nobody is signed in, so the row names the page.
VISITOR = SystemActor(audit_label="sign-in visitor")


def _record_failure(portal: str, typed: str, address: str | None, why: str | None = None):
    """One audit row per failed sign-in: what was typed (never the password) and from where.
    The row is the same whether or not an account matches, so the trail (and the time the
    page takes) tells no more than the page does."""
    audit.record(
        f"{portal}.sign_in_failed", actor=VISITOR, subject_type=portal,
        typed=(typed or "").strip()[:100], address=address, **({"why": why} if why else {}),
    )  # fmt: skip


@use_case
def sign_in_member(contact: str, password: str, *, address: str | None, now: datetime):
    """The member for these credentials, or None with a "member.sign_in_failed" audit row."""
    member = authenticate_member(contact, password)
    if member is None:
        _record_failure("member", contact, address)
    return member


@dataclass(frozen=True)
class StaffSignIn:
    staff: StaffUser | None
    refusal: DomainError | None = None


@use_case
def sign_in_staff(email: str, password: str, *, address: str | None, now: datetime) -> StaffSignIn:
    """A staff sign-in: the account and a "staff.signed_in" audit row (with the sign-in time on
    the account), or no account and a "staff.sign_in_failed" row. The right password of a
    deactivated account is refused with StaffDeactivated (returned, so the failure row is
    kept), also when it was deactivated between the password check and this write."""
    try:
        staff = authenticate_staff(email, password)
        if staff and not staff_accounts.record_sign_in(staff.id, now=now):
            raise StaffDeactivated()
    except StaffDeactivated as refusal:
        _record_failure("staff", email, address, why="deactivated")
        return StaffSignIn(None, refusal)
    if staff is None:
        _record_failure("staff", email, address)
        return StaffSignIn(None)
    audit.record(
        "staff.signed_in", actor=staff, subject_type="staff", subject_id=staff.id,
        address=address,
    )  # fmt: skip
    return StaffSignIn(staff)


class StaffExists(AlreadyExists):
    default_message = _l("A staff account with this email already exists.")


@use_case
def create_staff(email: str, name: str, role: str, password: str, *, actor: Actor) -> StaffUser:
    """Create a staff account. Raises StaffExists, WeakPassword or ValidationFailed."""
    try:
        role = Role(role)
    except ValueError:
        raise ValidationFailed(_l("Unknown role.")) from None
    phone, normalised = normalise_contact(email)
    if not normalised:
        raise ValidationFailed(_l("Staff sign in with an email address."))
    check_password(password, contact=normalised)
    staff = StaffUser(
        email=normalised,
        name=name or normalised.split("@")[0],
        role=role.value,
        password_hash=generate_password_hash(password),
    )
    try:
        with db.session.begin_nested():
            db.session.add(staff)
    except exc.IntegrityError:
        raise StaffExists() from None
    audit.record("staff.created", actor=actor, subject_type="staff", subject_id=staff.id, role=role)
    return staff


def staff_count() -> int:
    return db.session.scalar(select(func.count(StaffUser.id))) or 0
