"""Keeping a loaded Member in step with columns the ledger changed in SQL."""

from __future__ import annotations

from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from memberportal.extensions import db
from memberportal.members.models import Member


def forget_member(member_id: int) -> None:
    """The cached columns changed in SQL: make a loaded Member read them again."""
    member = db.session.identity_map.get(identity_key(Member, member_id))
    if member is not None:
        db.session.expire(member)


def remember_member(member_id: int, **values) -> None:
    """The cached columns changed in SQL to values known here: give them to a loaded Member
    (as if read from the row this transaction holds) instead of making it read them again."""
    member = db.session.identity_map.get(identity_key(Member, member_id))
    if member is not None:
        for name, value in values.items():
            set_committed_value(member, name, value)
