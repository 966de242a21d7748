"""Reading points: the member's own balance, expiries and history; the ledger check."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.models import (
    EARN,
    ENTRY_TYPES,
    EXPIRE,
    PENDING,
    AdjustmentRequest,
    Allocation,
    LedgerEntry,
)
from memberportal.purchases.models import Purchase

HISTORY_PAGE = 20


def upcoming_expiries(member_id: int, now: datetime, limit: int = 12) -> list[tuple[datetime, int]]:
    """[(expires_at, points)] still open, soonest first: "120 points expire on 2027-03-31"."""
    rows = db.session.execute(
        select(LedgerEntry.expires_at, func.sum(LedgerEntry.remaining))
        .where(LedgerEntry.member_id == member_id, LedgerEntry.remaining > 0)
        .group_by(LedgerEntry.expires_at)
        .order_by(LedgerEntry.expires_at)
        .limit(limit)
    ).all()
    return [(at, int(points)) for at, points in rows if at > now]


def earning_lot(source_type: str, source_id: int) -> int | None:
    """The lot the earning for this source opened: its earn entry (None: it earned nothing,
    or all of it repaid a debt). A refund takes back from its purchase's own lot first."""
    return db.session.scalar(
        select(LedgerEntry.id)
        .where(
            LedgerEntry.source_type == source_type,
            LedgerEntry.source_id == source_id,
            LedgerEntry.entry_type == EARN,
            LedgerEntry.points + LedgerEntry.debt_points > 0,
        )
        .limit(1)
    )


@dataclass
class HistoryRow:
    entry: LedgerEntry
    purchase: Purchase | None = None
    lot: LedgerEntry | None = None  # the earn entry that is the lot (earnings, expiries)
    # (entry, points) that drew on this earning's lot, or the lots a spend drew from
    links: list = field(default_factory=list)


def history_for_member(
    member_id: int, *, entry_type: str | None = None, before_id: int | None = None,
    limit: int = HISTORY_PAGE,
) -> list[HistoryRow]:  # fmt: skip
    """The member's own ledger, newest first, one page (keyset on id), explained."""
    query = select(LedgerEntry).where(LedgerEntry.member_id == member_id)
    if entry_type in ENTRY_TYPES:
        query = query.where(LedgerEntry.entry_type == entry_type)
    if before_id:
        query = query.where(LedgerEntry.id < before_id)
    page = list(db.session.scalars(query.order_by(LedgerEntry.id.desc()).limit(limit)))
    rows = [HistoryRow(entry) for entry in page]
    _explain(rows)
    return rows


def _explain(rows: list[HistoryRow]) -> None:
    purchase_ids = {r.entry.source_id for r in rows if r.entry.source_type == "purchase"}
    purchases = {
        p.id: p for p in db.session.scalars(select(Purchase).where(Purchase.id.in_(purchase_ids)))
    }
    # An earning is its own lot (none when all of it repaid a debt); an expiry names its lot.
    lots = {r.entry.id: r.entry for r in rows if (r.entry.lot_amount or 0) > 0}
    expired = {r.entry.lot_id for r in rows if r.entry.lot_id} - lots.keys()
    lots.update(
        (lot.id, lot)
        for lot in db.session.scalars(select(LedgerEntry).where(LedgerEntry.id.in_(expired)))
    )
    consumed = _consumers(set(lots))
    entry_ids = [r.entry.id for r in rows if r.entry.entry_type != EARN]
    drew: dict[int, list] = {}
    lot = aliased(LedgerEntry, name="lot")
    for alloc, drawn in db.session.execute(
        select(Allocation, lot)
        .join(lot, lot.id == Allocation.lot_id)
        .where(Allocation.entry_id.in_(entry_ids))
        .order_by(lot.expires_at, lot.id)
    ):
        drew.setdefault(alloc.entry_id, []).append((drawn, alloc.points))
    for row in rows:
        e = row.entry
        row.purchase = purchases.get(e.source_id) if e.source_type == "purchase" else None
        row.lot = lots.get(e.id if e.entry_type == EARN else e.lot_id)
        row.links = consumed.get(e.id, []) if e.entry_type == EARN else drew.get(e.id, [])


def _consumers(lot_ids: set[int]) -> dict[int, list]:
    """lot id -> [(entry, points)] that drew on it, in ledger order: spends, clawbacks and
    give-backs (through allocations) and the expiry runs (`expire` entries name their lot)."""
    consumed: dict[int, list] = {}
    for alloc, entry in db.session.execute(
        select(Allocation, LedgerEntry)
        .join(LedgerEntry, LedgerEntry.id == Allocation.entry_id)
        .where(Allocation.lot_id.in_(lot_ids))
    ):
        consumed.setdefault(alloc.lot_id, []).append((entry, alloc.points))
    for entry in db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.lot_id.in_(lot_ids), LedgerEntry.entry_type == EXPIRE)
    ):
        consumed.setdefault(entry.lot_id, []).append((entry, -entry.points))
    for links in consumed.values():
        links.sort(key=lambda link: link[0].id)
    return consumed


@dataclass(frozen=True)
class Mismatch:
    member_id: int
    balance: int
    debt: int
    open_lots: int
    entries_sum: int
    entries_debt: int


def ledger_mismatches(limit: int = 100) -> list[Mismatch]:
    """Members whose cached balance differs from open lots minus debt, or from their entries."""
    open_lots = (
        select(LedgerEntry.member_id, func.sum(LedgerEntry.remaining).label("open"))
        .where(LedgerEntry.remaining > 0)
        .group_by(LedgerEntry.member_id)
        .subquery()
    )
    sums = (
        select(
            LedgerEntry.member_id,
            func.sum(LedgerEntry.points).label("total"),
            func.sum(LedgerEntry.debt_points).label("debt"),
        )
        .group_by(LedgerEntry.member_id)
        .subquery()
    )
    lots_sum = func.coalesce(open_lots.c.open, 0)
    total, debt = func.coalesce(sums.c.total, 0), func.coalesce(sums.c.debt, 0)
    rows = db.session.execute(
        select(Member.id, Member.points_balance, Member.points_debt, lots_sum, total, debt)
        .outerjoin(open_lots, open_lots.c.member_id == Member.id)
        .outerjoin(sums, sums.c.member_id == Member.id)
        .where(
            (Member.points_balance != lots_sum - Member.points_debt)
            | (Member.points_balance != total)
            | (Member.points_debt != debt)
        )
        .order_by(Member.id)
        .limit(limit)
    ).all()
    return [Mismatch(*map(int, row)) for row in rows]


def adjustment_requests(status: str | None, *, limit: int = 100) -> list[tuple]:
    """[(request, member number)]: pending ones oldest first, or (status None) the latest
    decided ones newest first; the member number read in the same query."""
    query = select(AdjustmentRequest, Member.member_no).join(
        Member, Member.id == AdjustmentRequest.member_id
    )
    if status:
        query = query.where(AdjustmentRequest.status == status).order_by(AdjustmentRequest.id)
    else:
        query = query.where(AdjustmentRequest.status != PENDING).order_by(
            AdjustmentRequest.id.desc()
        )
    return [tuple(row) for row in db.session.execute(query.limit(limit))]
