"""Shared by the staff account tests: reading staff rows back as the owner's list shows them."""

from __future__ import annotations

from sqlalchemy import select

from memberportal.accounts.models import StaffUser
from memberportal.accounts.services import authenticate_staff
from memberportal.core.errors import DomainError
from memberportal.extensions import db

NEW_PASSWORD = "Lantern-Maple-77"


def staff_row(staff_id: int) -> StaffUser:
    db.session.expire_all()
    return db.session.get(StaffUser, staff_id)


def active_owner_ids() -> list[int]:
    db.session.expire_all()
    query = select(StaffUser.id).where(StaffUser.role == "owner", StaffUser.is_enabled)
    return list(db.session.scalars(query.order_by(StaffUser.id)))


def staff_signs_in(email: str, password: str) -> bool:
    db.session.expire_all()
    try:
        return authenticate_staff(email, password) is not None
    except DomainError:
        return False
