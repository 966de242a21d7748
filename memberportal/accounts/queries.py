"""Reading password resets (which member a link or code opens, and whether it still may) and
the owner's list of staff accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, select

from memberportal.accounts.errors import PROBLEMS, MemberClosed, ResetUnknown
from memberportal.accounts.models import PasswordReset, StaffUser
from memberportal.accounts.rules import hash_reset_token, reset_problem
from memberportal.extensions import db
from memberportal.members.models import Member


def reset_by_token(token: str) -> PasswordReset | None:
    return db.session.scalars(
        select(PasswordReset).where(PasswordReset.token_hash == hash_reset_token(token or ""))
    ).first()


def latest_reset_with_code_hash(member_id: int, code_hash: str) -> PasswordReset | None:
    """The member's newest reset issued with this code (open or not), so a wrong code and a
    right but spent one get different answers."""
    return db.session.scalars(
        select(PasswordReset)
        .where(PasswordReset.member_id == member_id, PasswordReset.code_hash == code_hash)
        .order_by(PasswordReset.id.desc())
        .limit(1)
    ).first()


def raise_unless_open(reset: PasswordReset, now: datetime) -> Member:
    """The member whose reset this is; raises ResetExpired, ResetUsed, ResetVoided or
    MemberClosed when it can no longer be used."""
    problem = reset_problem(
        used_at=reset.used_at, voided_at=reset.voided_at, expires_at=reset.expires_at, now=now
    )
    if problem:
        raise PROBLEMS[problem]()
    member = db.session.get(Member, reset.member_id)
    if member is None or not member.is_active:
        raise MemberClosed()
    return member


def member_for_reset_link(token: str, now: datetime) -> Member:
    """The member a reset link may set a new password for; raises ResetUnknown or the reason
    it can no longer be used."""
    reset = reset_by_token(token)
    if reset is None:
        raise ResetUnknown()
    return raise_unless_open(reset, now)


_ROLE_ORDER = case({"owner": 0, "manager": 1, "cashier": 2}, value=StaffUser.role)


def staff_accounts() -> list[StaffUser]:
    """Every staff account for the owner: active ones first, then by role (owner first)."""
    return list(
        db.session.scalars(
            select(StaffUser).order_by(StaffUser.is_enabled.desc(), _ROLE_ORDER, StaffUser.email)
        )
    )


def staff_by_id(staff_id: int) -> StaffUser | None:
    return db.session.get(StaffUser, staff_id)
