"""Helpers for points tests: times, actors and the invariants the ledger must keep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from memberportal.core.actors import SystemActor
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points import ledger
from memberportal.points.models import EARN, LedgerEntry

T0 = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
ACTOR = SystemActor(audit_label="test")


def earn(member_id: int, points: int, *, now=T0, days: int = 365):
    return ledger.earn(
        member_id, points, kind="campaign", source_type="test", source_id=None,
        expires_at=now + timedelta(days=days), actor=ACTOR, now=now,
    )  # fmt: skip


def spend(member_id: int, points: int, *, now=T0):
    return ledger.spend(
        member_id, points, kind="redemption", source_type="test", source_id=None,
        actor=ACTOR, now=now,
    )  # fmt: skip


def state(member_id: int) -> dict:
    db.session.expire_all()
    member = db.session.get(Member, member_id)
    open_lots = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.remaining), 0)).where(
            LedgerEntry.member_id == member_id
        )
    )
    entries = db.session.execute(
        select(
            func.coalesce(func.sum(LedgerEntry.points), 0),
            func.coalesce(func.sum(LedgerEntry.debt_points), 0),
        ).where(LedgerEntry.member_id == member_id)
    ).one()
    return {
        "balance": member.points_balance,
        "debt": member.points_debt,
        "open_lots": open_lots,
        "entries_sum": entries[0],
        "entries_debt": entries[1],
    }


def assert_invariants(member_id: int) -> dict:
    s = state(member_id)
    assert s["balance"] == s["open_lots"] - s["debt"], s
    assert s["balance"] == s["entries_sum"], s
    assert s["debt"] == s["entries_debt"], s
    assert s["debt"] >= 0
    bad = db.session.scalar(
        select(func.count()).where(
            LedgerEntry.member_id == member_id,
            (LedgerEntry.remaining < 0)
            | (LedgerEntry.remaining > LedgerEntry.points + LedgerEntry.debt_points)
            | ((LedgerEntry.entry_type == EARN) != LedgerEntry.remaining.is_not(None)),
        )
    )
    assert bad == 0
    return s
