"""Password use cases: a reset a cashier issues, its use by link or code, and a member changing
their own password. Each ends every other session of the member (Member.session_version)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import insert, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from memberportal.accounts import queries
from memberportal.accounts.errors import (
    MemberClosed,
    PasswordChangedMeanwhile,
    ResetCodeMismatch,
    ResetUnknown,
    ResetUsed,
    WrongPassword,
)
from memberportal.accounts.models import PasswordReset
from memberportal.accounts.rules import (
    check_password,
    hash_reset_code,
    hash_reset_token,
    new_reset_code,
    new_reset_token,
    normalise_contact,
    normalise_reset_code,
    reset_expires_at,
)
from memberportal.audit import services as audit
from memberportal.core.actors import Actor
from memberportal.core.db import use_case
from memberportal.core.errors import NotFound
from memberportal.extensions import db
from memberportal.members.models import Member

_resets = PasswordReset.__table__
_members = Member.__table__


@dataclass(frozen=True)
class IssuedReset:
    """What the cashier shows the member once; only hashes of `token` and `code` are kept."""

    reset_id: int
    member_id: int
    token: str
    code: str
    expires_at: datetime


def _code_key() -> str:
    return current_app.config["SECRET_KEY"]


def _void_open_resets(member_id: int, now: datetime) -> int:
    result = db.session.execute(
        update(_resets)
        .where(
            _resets.c.member_id == member_id,
            _resets.c.used_at.is_(None),
            _resets.c.voided_at.is_(None),
        )
        .values(voided_at=now)
    )
    return result.rowcount


@use_case
def issue_reset(member_id: int, *, actor: Actor, now: datetime) -> IssuedReset:
    """Create a one-time reset for a member whose identity staff have checked (or, with a
    system actor, for a sender that delivers it to the account's own phone or email).

    The reset is valid for 30 minutes and holds only hashes of its link token and short code.
    It voids the member's earlier unused resets. Issuing first takes the member's row with a
    no-op UPDATE (a row lock on PostgreSQL, the write lock on SQLite), so two staff issuing at
    once go one after the other and the later one voids the earlier; a partial UNIQUE index
    backs "one open reset per member". Audited (who, for whom, the reset's id and expiry;
    never the token or code). Raises NotFound or MemberClosed.
    """
    taken = db.session.execute(
        update(_members)
        .where(_members.c.id == member_id, _members.c.is_active_member)
        .values(session_version=_members.c.session_version)
    ).rowcount
    if not taken:
        raise MemberClosed() if db.session.get(Member, member_id) else NotFound()
    token, code = new_reset_token(), new_reset_code()
    expires_at = reset_expires_at(now)
    voided = _void_open_resets(member_id, now)
    reset_id = db.session.execute(
        insert(_resets)
        .values(
            member_id=member_id,
            issued_by_id=actor.actor_id if actor.actor_kind == "staff" else None,
            token_hash=hash_reset_token(token),
            code_hash=hash_reset_code(code, member_id, _code_key()),
            created_at=now,
            expires_at=expires_at,
        )
        .returning(_resets.c.id)
    ).scalar_one()
    audit.record(
        "password_reset.issued", actor=actor, subject_type="member", subject_id=member_id,
        reset_id=reset_id, expires_at=expires_at.isoformat(), voided=voided,
    )  # fmt: skip
    return IssuedReset(reset_id, member_id, token, code, expires_at)


@use_case
def reset_with_token(token: str, password: str, *, now: datetime) -> Member:
    """Set a new password through a reset link. See `_complete` for the rules and guarantees.
    Raises ResetUnknown, ResetExpired, ResetUsed, ResetVoided, MemberClosed or WeakPassword."""
    reset = queries.reset_by_token(token)
    if reset is None:
        raise ResetUnknown()
    return _complete(reset, password, via="link", now=now)


@use_case
def reset_with_code(contact: str, code: str, password: str, *, now: datetime) -> Member:
    """Set a new password with the short code and the account's phone or email.

    An unknown account and a wrong code get the same ResetCodeMismatch, so the answer does not
    tell whether an account exists; a right code that is spent says why. Raises InvalidContact,
    ResetCodeMismatch, ResetExpired, ResetUsed, ResetVoided, MemberClosed or WeakPassword.
    The views throttle wrong guesses per account and per address.
    """
    phone, email = normalise_contact(contact)
    member_id = db.session.scalar(
        select(Member.id).where(Member.phone == phone if phone else Member.email == email)
    )
    normalised = normalise_reset_code(code)
    if member_id is None or normalised is None:
        raise ResetCodeMismatch()
    code_hash = hash_reset_code(normalised, member_id, _code_key())
    reset = queries.latest_reset_with_code_hash(member_id, code_hash)
    if reset is None:
        raise ResetCodeMismatch()
    return _complete(reset, password, via="code", now=now)


def _complete(reset: PasswordReset, password: str, *, via: str, now: datetime) -> Member:
    """Check the new password as registration does, then consume the reset with one
    conditional UPDATE (unused, not voided, not expired): of two submissions at once, one
    changes the password and the other is told the reset is used. A refused password writes
    nothing, so the reset stays usable. Ends the member's other sessions; audited."""
    member = queries.raise_unless_open(reset, now)
    check_password(password, contact=member.phone or member.email or "")
    password_hash = generate_password_hash(password)
    consumed = db.session.execute(
        update(_resets)
        .where(
            _resets.c.id == reset.id,
            _resets.c.used_at.is_(None),
            _resets.c.voided_at.is_(None),
            _resets.c.expires_at > now,
        )
        .values(used_at=now)
    ).rowcount
    if consumed != 1:
        db.session.refresh(reset)
        queries.raise_unless_open(reset, now)
        raise ResetUsed()
    _store_password(member, password_hash)
    audit.record(
        "password_reset.completed", actor=member, subject_type="member", subject_id=member.id,
        reset_id=reset.id, via=via,
    )  # fmt: skip
    return member


def _store_password(member: Member, password_hash: str, *, if_hash: str | None = None) -> bool:
    """Write the new hash and move the session version on, so every session signed in before
    it ends. With `if_hash`, only while the stored hash is still that one."""
    query = update(_members).where(_members.c.id == member.id)
    if if_hash is not None:
        query = query.where(_members.c.password_hash == if_hash)
    changed = db.session.execute(
        query.values(password_hash=password_hash, session_version=_members.c.session_version + 1)
    ).rowcount
    db.session.refresh(member)
    return changed == 1


@use_case
def change_password(
    member_id: int, current_password: str, new_password: str, *, actor: Actor, now: datetime
) -> Member:
    """A signed-in member changes their password: the current one must match and the new one
    pass registration's checks. A compare-and-set on the stored hash makes two changes at once
    end with one winner (the other gets PasswordChangedMeanwhile). Ends every other session
    (the caller signs this one in again), voids open resets; audited. Raises NotFound,
    WrongPassword, WeakPassword or PasswordChangedMeanwhile.
    """
    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound()
    old_hash = member.password_hash
    if not check_password_hash(old_hash, current_password):
        raise WrongPassword()
    check_password(new_password, contact=member.phone or member.email or "")
    if not _store_password(member, generate_password_hash(new_password), if_hash=old_hash):
        raise PasswordChangedMeanwhile()
    voided = _void_open_resets(member_id, now)
    audit.record(
        "member.password_changed", actor=actor, subject_type="member", subject_id=member_id,
        voided_resets=voided,
    )  # fmt: skip
    return member
