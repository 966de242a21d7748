"""The owner's use cases on staff accounts: deactivate, reactivate, change role, reset password.

Each change that takes something away (deactivating, a new role, a new password) adds one to
the account's session version in the same UPDATE, so every session signed in before it ends
at its next request (StaffUser.get_id and the user loader).

The shop always keeps an active owner. The rule is one conditional UPDATE: the subject is not
an active owner, or another active owner remains. On PostgreSQL (READ COMMITTED) that
subquery alone can race - two owners demoting each other would each still see the other - so
the active owners' rows and the subject's are first locked in id order; the second
transaction then waits, and its UPDATE's subquery sees the first one's commit. SQLite drops
FOR UPDATE, but its writes serialise and the UPDATE evaluates its subquery under the lock.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists, false, func, not_, or_, select, true, update
from werkzeug.security import generate_password_hash

from memberportal.accounts.errors import (
    AlreadyActive,
    AlreadyDeactivated,
    AlreadyInRole,
    LastOwner,
    NotAnOwner,
    StaffChangedMeanwhile,
    StaffNotFound,
)
from memberportal.accounts.models import StaffUser
from memberportal.accounts.rules import check_password
from memberportal.audit import services as audit
from memberportal.core.actors import Actor
from memberportal.core.auth import Role
from memberportal.core.db import use_case
from memberportal.core.errors import ValidationFailed
from memberportal.extensions import db

_staff = StaffUser.__table__
_OWNER = Role.OWNER.value


def _active_owner(table) -> ColumnElement[bool]:
    return and_(table.c.role == _OWNER, table.c.is_enabled)


def _lock_owners_and(staff_id: int) -> None:
    """Lock the active owners' rows and the subject's, in id order, so two owner changes at
    once go one after the other (PostgreSQL; a no-op on SQLite, where writes serialise)."""
    db.session.execute(
        select(_staff.c.id)
        .where(or_(_active_owner(_staff), _staff.c.id == staff_id))
        .order_by(_staff.c.id)
        .with_for_update()
    ).all()


def _keeps_an_owner(staff_id: int) -> ColumnElement[bool]:
    """The subject row is not an active owner, or another active owner remains."""
    other = _staff.alias("other_owner")
    others = (
        select(func.count())
        .select_from(other)
        .where(_active_owner(other), other.c.id != staff_id)
        .scalar_subquery()
    )
    return or_(not_(_active_owner(_staff)), others > 0)


def _actor_is_owner(actor: Actor) -> ColumnElement[bool]:
    """A staff actor must still be an active owner when the change is written (a demoted
    owner's request in flight changes nothing); the system (a CLI) may always."""
    if actor.actor_kind != "staff":
        return true()
    me = _staff.alias("actor")
    return exists().where(me.c.id == actor.actor_id, _active_owner(me))


def _refused(staff_id: int, actor: Actor, *, owner_rule: bool = False):
    """Why a conditional UPDATE wrote nothing, read after the fact to pick the message."""
    db.session.expire_all()
    staff = db.session.get(StaffUser, staff_id)
    if staff is None:
        return StaffNotFound()
    if owner_rule and staff.role == _OWNER and staff.is_enabled:
        others = db.session.scalar(
            select(func.count()).where(_active_owner(_staff), _staff.c.id != staff_id)
        )
        if not others:
            return LastOwner()
    if actor.actor_kind == "staff":
        me = db.session.get(StaffUser, actor.actor_id)
        if me is None or not (me.is_enabled and me.role == _OWNER):
            return NotAnOwner()
    return None


def _parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationFailed(_l("Unknown role.")) from None


def _reloaded(staff_id: int) -> StaffUser:
    staff = db.session.get(StaffUser, staff_id)
    db.session.refresh(staff)
    return staff


@use_case
def deactivate(staff_id: int, *, actor: Actor) -> StaffUser:
    """Deactivate a staff account: it can no longer sign in and its open sessions end at
    their next request. Never the last active owner (see the module's docstring for why this
    holds when two owners act at once). Audited with the active flag before and after.
    Raises StaffNotFound, AlreadyDeactivated, LastOwner or NotAnOwner."""
    _lock_owners_and(staff_id)
    changed = db.session.execute(
        update(_staff)
        .where(
            _staff.c.id == staff_id,
            _staff.c.is_enabled,
            _keeps_an_owner(staff_id),
            _actor_is_owner(actor),
        )
        .values(is_enabled=false(), session_version=_staff.c.session_version + 1)
    ).rowcount
    if changed != 1:
        raise _refused(staff_id, actor, owner_rule=True) or AlreadyDeactivated()
    staff = _reloaded(staff_id)
    audit.record(
        "staff.deactivated", actor=actor, subject_type="staff", subject_id=staff.id,
        email=staff.email, role=staff.role, was_active=True, active=False,
    )  # fmt: skip
    return staff


@use_case
def reactivate(staff_id: int, *, actor: Actor) -> StaffUser:
    """Let a deactivated staff account sign in again (with its password as it was; its old
    sessions stay ended). Audited. Raises StaffNotFound, AlreadyActive or NotAnOwner."""
    changed = db.session.execute(
        update(_staff)
        .where(_staff.c.id == staff_id, not_(_staff.c.is_enabled), _actor_is_owner(actor))
        .values(is_enabled=true())
    ).rowcount
    if changed != 1:
        raise _refused(staff_id, actor) or AlreadyActive()
    staff = _reloaded(staff_id)
    audit.record(
        "staff.reactivated", actor=actor, subject_type="staff", subject_id=staff.id,
        email=staff.email, role=staff.role, was_active=False, active=True,
    )  # fmt: skip
    return staff


@use_case
def change_role(staff_id: int, role: str, *, actor: Actor) -> StaffUser:
    """Give a staff member another role; their open sessions end, so they sign in again and
    see what the new role allows. The last active owner is never demoted (the module's
    docstring says why this holds under concurrency). The UPDATE also compares the role read
    under the lock, so the audit's old role is the one replaced. Audited with the old and new
    role. Raises ValidationFailed (unknown role), StaffNotFound, AlreadyInRole, LastOwner,
    NotAnOwner or StaffChangedMeanwhile."""
    new_role = _parse_role(role).value
    _lock_owners_and(staff_id)
    old_role = db.session.scalar(select(_staff.c.role).where(_staff.c.id == staff_id))
    changed = db.session.execute(
        update(_staff)
        .where(
            _staff.c.id == staff_id,
            _staff.c.role == old_role,
            _staff.c.role != new_role,
            _keeps_an_owner(staff_id) if new_role != _OWNER else true(),
            _actor_is_owner(actor),
        )
        .values(role=new_role, session_version=_staff.c.session_version + 1)
    ).rowcount
    if changed != 1:
        raise _refused(staff_id, actor, owner_rule=new_role != _OWNER) or _role_refused(
            staff_id, new_role
        )
    staff = _reloaded(staff_id)
    audit.record(
        "staff.role_changed", actor=actor, subject_type="staff", subject_id=staff.id,
        email=staff.email, old_role=old_role, new_role=new_role,
    )  # fmt: skip
    return staff


def _role_refused(staff_id: int, new_role: str):
    current = db.session.scalar(select(_staff.c.role).where(_staff.c.id == staff_id))
    return AlreadyInRole() if current == new_role else StaffChangedMeanwhile()


@use_case
def reset_password(staff_id: int, password: str, *, actor: Actor) -> StaffUser:
    """Set a new password the owner chose for a staff member (checked like every password,
    stored as a hash); their open sessions end. Audited, never with the password. Raises
    WeakPassword, StaffNotFound or NotAnOwner."""
    email = db.session.scalar(select(_staff.c.email).where(_staff.c.id == staff_id))
    if email is None:
        raise StaffNotFound()
    check_password(password, contact=email)
    changed = db.session.execute(
        update(_staff)
        .where(_staff.c.id == staff_id, _actor_is_owner(actor))
        .values(
            password_hash=generate_password_hash(password),
            session_version=_staff.c.session_version + 1,
        )
    ).rowcount
    if changed != 1:
        raise _refused(staff_id, actor) or StaffNotFound()
    staff = _reloaded(staff_id)
    audit.record(
        "staff.password_reset", actor=actor, subject_type="staff", subject_id=staff.id,
        email=staff.email,
    )  # fmt: skip
    return staff


@use_case
def record_sign_in(staff_id: int, *, now: datetime) -> bool:
    """Note a staff sign-in for the owner's list; False when the account was deactivated
    since its password was checked (the caller then refuses the sign-in)."""
    return bool(
        db.session.execute(
            update(_staff)
            .where(_staff.c.id == staff_id, _staff.c.is_enabled)
            .values(last_signed_in_at=now)
        ).rowcount
    )
