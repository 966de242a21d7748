"""Reading risk: the open flags with their members, and the accounts frozen for review."""

from __future__ import annotations

from sqlalchemy import select

from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.risk.models import OPEN, RiskFlag


def open_flags(limit: int = 200) -> list[tuple[RiskFlag, Member]]:
    """Open flags, newest first, each with its member (staff only)."""
    return [
        (flag, member)
        for flag, member in db.session.execute(
            select(RiskFlag, Member)
            .join(Member, Member.id == RiskFlag.member_id)
            .where(RiskFlag.status == OPEN)
            .order_by(RiskFlag.detected_at.desc(), RiskFlag.id.desc())
            .limit(limit)
        ).all()
    ]


def flag_by_id(flag_id: int) -> RiskFlag | None:
    return db.session.get(RiskFlag, flag_id)


def frozen_members(limit: int = 200) -> list[Member]:
    """Accounts held for review, the most recently frozen first."""
    return list(
        db.session.scalars(
            select(Member)
            .where(Member.frozen_at.is_not(None))
            .order_by(Member.frozen_at.desc(), Member.id.desc())
            .limit(limit)
        )
    )
