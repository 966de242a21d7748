"""Shared by the password reset tests: issuing a reset and reading what is stored."""

from __future__ import annotations

from sqlalchemy import select

from memberportal.accounts import passwords
from memberportal.accounts.models import PasswordReset
from memberportal.accounts.services import authenticate_member
from memberportal.audit.models import AuditEntry
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.members.models import Member
from tests import factories

NEW_PASSWORD = "Lantern-Maple-77"


def issue(member_id: int, staff=None, now=None) -> passwords.IssuedReset:
    staff = staff or factories.staff("cashier")
    return passwords.issue_reset(member_id, actor=staff, now=now or utcnow())


def resets_of(member_id: int) -> list[PasswordReset]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(PasswordReset).where(PasswordReset.member_id == member_id).order_by("id")
        )
    )


def open_resets(member_id: int) -> list[PasswordReset]:
    return [r for r in resets_of(member_id) if r.used_at is None and r.voided_at is None]


def member_row(member_id: int) -> Member:
    db.session.expire_all()
    return db.session.get(Member, member_id)


def signs_in(contact: str, password: str) -> bool:
    db.session.expire_all()
    return authenticate_member(contact, password) is not None


def audit_rows(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )
