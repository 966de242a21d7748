"""The points ledger: the only code that changes a member's points.

Every write starts by taking the member's row (a conditional or no-op UPDATE, which locks the
row on PostgreSQL and takes the write lock on SQLite), then draws on lots with conditional
UPDATEs, and appends entries. A lot is the `earn` entry that opened it (its `remaining`), so a
credit inserts one row. Locks are always taken member first, then lots, so two ledger
operations never wait on each other in opposite orders. The member's cached balance always
equals the sum of the open lots minus the debt, and the sum of the member's entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, bindparam, exc, insert, select, update

from memberportal.core.db import use_case
from memberportal.core.errors import ValidationFailed
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points.errors import (
    AccountFrozen,
    InsufficientPoints,
    LotConflict,
    NotASpend,
    UnknownMember,
)
from memberportal.points.expiry import expire_due
from memberportal.points.models import (
    CLAWBACK,
    EARN,
    EXPIRE,
    GIVE_BACK,
    SPEND,
    Allocation,
    LedgerEntry,
)
from memberportal.points.rows import forget_member, remember_member

members = Member.__table__
entries = LedgerEntry.__table__
# A lot is its earn entry; it opened with the points the debt did not take.
lot_amount = entries.c.points + entries.c.debt_points
# The statement every credit runs, built once (building one costs more than running it); the
# values come as parameters.
INSERT_ENTRY = insert(entries).returning(entries.c.id)


def _positive(points: int) -> None:
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        raise ValidationFailed()


def _lock_member(member_id: int) -> tuple[int, int]:
    """Take the member's row for this transaction; return (balance, debt) as now locked."""
    row = db.session.execute(
        update(members)
        .where(members.c.id == member_id)
        .values(points_balance=members.c.points_balance)
        .returning(members.c.points_balance, members.c.points_debt)
    ).first()
    if row is None:
        raise UnknownMember()
    return row[0], row[1]


def _append(member_id: int, entry_type: str, kind: str, points: int, *, actor, now, **fields):
    entry = LedgerEntry(
        member_id=member_id,
        entry_type=entry_type,
        kind=kind,
        points=points,
        actor_kind=actor.actor_kind,
        actor_id=actor.actor_id,
        actor_label=actor.audit_label,
        at=now,
        **fields,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


@use_case
def earn(
    member_id: int,
    points: int,
    *,
    kind: str,
    source_type: str,
    source_id: int | None,
    expires_at: datetime,
    actor,
    now: datetime,
    note: str | None = None,
) -> LedgerEntry:
    """Credit `points` as a new lot expiring at `expires_at`; a debt is repaid first.

    Writes: the member's balance (+points) and debt (-repaid), one `earn` entry that is the
    lot of what is left after repaying (remaining 0 when the debt took it all). Raises
    ValidationFailed (points <= 0), UnknownMember.
    Concurrency: the member row is locked first, so the debt read is the debt repaid.
    """
    _positive(points)
    _balance, repaid, _row = _credit_member(member_id, points)
    return _append(
        member_id, EARN, kind, points, actor=actor, now=now, source_type=source_type,
        source_id=source_id, expires_at=expires_at, debt_points=-repaid,
        remaining=points - repaid, expired_points=0, note=note,
    )  # fmt: skip


@dataclass(frozen=True)
class Credited:
    entry_id: int
    balance: int  # the member's balance after the credit, as locked in this transaction
    member_row: tuple = ()  # the caller's `member_returning` columns, after its `member_values`
    source_id: int | None = None  # what `source` returned


@use_case
def credit(
    member_id: int,
    points: int,
    *,
    kind: str,
    source_type: str,
    source_id: int | None,
    expires_at: datetime,
    actor,
    now: datetime,
    member_values: dict | None = None,
    member_returning: tuple = (),
    source: Callable[[int, tuple], int] | None = None,
) -> Credited:
    """`earn` for callers that need only the entry's id and the new balance (no ORM object).

    Same rule, writes, errors and concurrency guarantee as `earn`. A caller that changes
    other columns of the member's row in the same use case (a purchase's growth) passes
    them as `member_values` (column name -> value or SQL expression) and gets the
    `member_returning` columns back as written: the row is then written once, by the UPDATE
    that credits it and locks it, instead of once per area. `source`, given instead of
    `source_id`, writes the source once the member's row is credited and locked: it is called
    with the new balance and the `member_returning` values and returns the source's id (a
    purchase keeps the balance it answered).
    """
    _positive(points)
    balance, repaid, row = _credit_member(
        member_id, points, also=member_values or {}, returning=member_returning
    )
    if source is not None:
        source_id = source(balance, row)
    entry_id = db.session.execute(
        INSERT_ENTRY,
        dict(
            member_id=member_id, entry_type=EARN, kind=kind, points=points,
            debt_points=-repaid, remaining=points - repaid, expired_points=0,
            source_type=source_type, source_id=source_id, expires_at=expires_at,
            actor_kind=actor.actor_kind, actor_id=actor.actor_id,
            actor_label=actor.audit_label, at=now,
        ),
    ).scalar_one()  # fmt: skip
    return Credited(entry_id, balance, row, source_id)


def credit_cte(*, member_values: dict, member_returning: tuple):
    """`credit`'s UPDATE of a member without a debt, as a CTE for a caller that chains its
    writes into one statement (PostgreSQL) built once: the member and the points are the
    parameters "member_id" and "points" (credit_params), `member_values` are other columns
    set. It returns points_balance and the `member_returning` columns, or no row when the
    member has a debt (or does not exist). The caller then calls `credited` with the balance
    and writes the entry with earn_cte."""
    return (
        update(members)
        .where(members.c.id == bindparam("member_id"), members.c.points_debt == 0)
        .values(
            points_balance=members.c.points_balance + bindparam("points", type_=Integer()),
            **member_values,
        )
        .returning(members.c.points_balance, *member_returning)
        .cte("credited")
    )


def credit_params(member_id: int, points: int) -> dict:
    _positive(points)
    return {"member_id": member_id, "points": points}


EARN_CTE_COLUMNS = (
    "member_id", "entry_type", "kind", "points", "debt_points", "remaining", "expired_points",
    "source_type", "expires_at", "actor_kind", "actor_id", "actor_label", "at",
)  # fmt: skip


def earn_cte(*, source_id, source):
    """The `earn` entry of a credit_cte (the lot of all its points, nothing repaid) as a CTE
    writing one row per row of the CTE `source`, whose column `source_id` it names; its
    values are parameters (earn_params)."""
    rows = select(
        *(bindparam(f"e_{name}", type_=entries.c[name].type) for name in EARN_CTE_COLUMNS),
        source_id,
    ).select_from(source)  # fmt: skip
    return (
        insert(entries)
        .from_select([*EARN_CTE_COLUMNS, "source_id"], rows)
        .returning(entries.c.id)
        .cte("earned")
    )


def earn_params(
    member_id: int, points: int, *, kind: str, source_type: str, expires_at: datetime, actor,
    now: datetime,
) -> dict:  # fmt: skip
    values = dict(
        member_id=member_id, entry_type=EARN, kind=kind, points=points, debt_points=0,
        remaining=points, expired_points=0, source_type=source_type, expires_at=expires_at,
        actor_kind=actor.actor_kind, actor_id=actor.actor_id, actor_label=actor.audit_label,
        at=now,
    )  # fmt: skip
    return {f"e_{name}": value for name, value in values.items()}


def credited(member_id: int, balance: int) -> None:
    """A chained credit wrote the member's row: a loaded Member learns its balance."""
    remember_member(member_id, points_balance=balance, points_debt=0)


def _credit_member(
    member_id: int, points: int, *, also: dict | None = None, returning: tuple = ()
) -> tuple[int, int, tuple]:
    """Add `points` to the member's row, repaying the debt first; return (balance, repaid,
    the `returning` columns). `also` are other columns set by the same UPDATE.

    Without a debt one conditional UPDATE (WHERE points_debt = 0) locks and credits the row at
    once: its WHERE is re-checked on the row as locked, so nothing is repaid only if there was
    no debt. Otherwise the row is locked, the debt read, and the repayment applied.
    """
    also = also or {}
    row = db.session.execute(
        update(members)
        .where(members.c.id == member_id, members.c.points_debt == 0)
        .values(points_balance=members.c.points_balance + points, **also)
        .returning(members.c.points_balance, *returning)
    ).first()
    repaid, debt = 0, 0
    if row is None:
        _balance, debt = _lock_member(member_id)
        repaid = min(debt, points)
        row = db.session.execute(
            update(members)
            .where(members.c.id == member_id, members.c.points_debt >= repaid)
            .values(
                points_balance=members.c.points_balance + points,
                points_debt=members.c.points_debt - repaid,
                **also,
            )
            .returning(members.c.points_balance, *returning)
        ).first()
    remember_member(member_id, points_balance=row[0], points_debt=debt - repaid)
    return row[0], repaid, tuple(row[1:])


def _open_lots(member_id: int, prefer_lot_id: int | None) -> list[tuple[int, int]]:
    """Open lots in spending order: expiring first, then oldest (a preferred lot leads).
    Only earn entries have a `remaining`, so `remaining > 0` is "an open lot"."""
    rows = db.session.execute(
        select(entries.c.id, entries.c.remaining)
        .where(entries.c.member_id == member_id, entries.c.remaining > 0)
        .order_by(entries.c.expires_at, entries.c.id)
    ).all()
    rows = [(r[0], r[1]) for r in rows]
    if prefer_lot_id is not None:
        rows.sort(key=lambda r: r[0] != prefer_lot_id)
    return rows


def _draw(member_id: int, points: int, prefer_lot_id: int | None = None) -> list[tuple[int, int]]:
    """Take up to `points` from the member's open lots; return [(lot_id, taken)]."""
    drawn, left = [], points
    for lot_id, remaining in _open_lots(member_id, prefer_lot_id):
        if left == 0:
            break
        take = min(left, remaining)
        result = db.session.execute(
            update(entries)
            .where(entries.c.id == lot_id, entries.c.remaining >= take)
            .values(remaining=entries.c.remaining - take)
        )
        if result.rowcount != 1:
            raise LotConflict()
        drawn.append((lot_id, take))
        left -= take
    return drawn


def _allocate(entry: LedgerEntry, drawn: list[tuple[int, int]]) -> None:
    db.session.add_all(Allocation(entry_id=entry.id, lot_id=lot, points=n) for lot, n in drawn)
    db.session.flush()


@use_case
def spend(
    member_id: int,
    points: int,
    *,
    kind: str,
    source_type: str,
    source_id: int | None,
    actor,
    now: datetime,
    note: str | None = None,
) -> LedgerEntry:
    """Debit `points`, drawing the lots that expire first (then the oldest).

    Due lots are expired first. Writes: the balance via UPDATE ... WHERE points_balance >= :n
    AND points_debt = 0 AND frozen_at IS NULL, the lots drawn, one `spend` entry and its
    allocations. Raises AccountFrozen (the account is held for review), InsufficientPoints
    (also while in debt), UnknownMember, ValidationFailed.
    Concurrency: the conditional update decides; of many concurrent spends exactly those the
    balance covers succeed, and a freeze committed before the update locks the row refuses it.
    """
    _positive(points)
    expire_due(now, member_id=member_id)
    row = db.session.execute(
        update(members)
        .where(
            members.c.id == member_id,
            members.c.points_balance >= points,
            members.c.points_debt == 0,
            members.c.frozen_at.is_(None),
        )
        .values(points_balance=members.c.points_balance - points)
        .returning(members.c.points_balance)
    ).first()
    if row is None:
        _refuse_spend(member_id, actor)
    drawn = _draw(member_id, points)
    if sum(n for _lot, n in drawn) != points:
        raise LotConflict()
    forget_member(member_id)
    entry = _append(
        member_id, SPEND, kind, -points, actor=actor, now=now,
        source_type=source_type, source_id=source_id, note=note,
    )  # fmt: skip
    _allocate(entry, drawn)
    return entry


def _refuse_spend(member_id: int, actor) -> None:
    """Why the spend's UPDATE matched nothing, read from the row as committed now (the
    session may hold an older copy of the member)."""
    frozen = db.session.execute(
        select(members.c.frozen_at.is_not(None)).where(members.c.id == member_id)
    ).first()
    if frozen is None:
        raise UnknownMember()
    if frozen[0]:
        raise AccountFrozen.for_actor(actor)
    raise InsufficientPoints()


@use_case
def claw_back(
    member_id: int,
    points: int,
    *,
    kind: str,
    source_type: str,
    source_id: int | None,
    actor,
    now: datetime,
    prefer_lot_id: int | None = None,
    note: str | None = None,
) -> LedgerEntry:
    """Take back points a refunded purchase earned; what is no longer there becomes a debt.

    The only path that creates a debt (a negative balance). Draws the purchase's own lot
    first, then lots in spending order. Writes: lots, balance (-points), debt (+shortfall),
    one `clawback` entry with its allocations. Concurrency: member row locked first.
    """
    _positive(points)
    expire_due(now, member_id=member_id)
    _lock_member(member_id)
    drawn = _draw(member_id, points, prefer_lot_id)
    owed = points - sum(n for _lot, n in drawn)
    db.session.execute(
        update(members)
        .where(members.c.id == member_id)
        .values(
            points_balance=members.c.points_balance - points,
            points_debt=members.c.points_debt + owed,
        )
    )
    forget_member(member_id)
    entry = _append(
        member_id, CLAWBACK, kind, -points, actor=actor, now=now, debt_points=owed,
        source_type=source_type, source_id=source_id, note=note,
    )  # fmt: skip
    _allocate(entry, drawn)
    return entry


@use_case
def give_back(spend_entry_id: int, *, actor, now: datetime, reason: str) -> LedgerEntry | None:
    """Return a spend's points to the very lots they came from, with their original expiry.

    Points whose lot has expired meanwhile are returned and expire at once (an `expire` entry).
    Writes: one `give_back` entry (UNIQUE on the spend it reverses), its allocations, the lots
    still open, the balance. Returns None when the spend was already given back.
    Raises NotASpend. Concurrency: member row locked, then the UNIQUE key decides.
    """
    spent = db.session.get(LedgerEntry, spend_entry_id)
    if spent is None or spent.entry_type != SPEND:
        raise NotASpend()
    _lock_member(spent.member_id)
    try:
        with db.session.begin_nested():
            entry = _append(
                spent.member_id, GIVE_BACK, spent.kind, -spent.points, actor=actor, now=now,
                source_type=spent.source_type, source_id=spent.source_id,
                reverses_entry_id=spent.id, note=reason,
            )  # fmt: skip
    except exc.IntegrityError:
        return None
    drawn = db.session.execute(
        select(Allocation.lot_id, Allocation.points, entries.c.expires_at)
        .join(entries, entries.c.id == Allocation.lot_id)
        .where(Allocation.entry_id == spent.id)
        .order_by(Allocation.lot_id)
    ).all()
    expired = 0
    for lot_id, points, expires_at in drawn:
        reopened = db.session.execute(
            update(entries)
            .where(
                entries.c.id == lot_id,
                entries.c.expires_at > now,
                entries.c.expired_batch.is_(None),
                entries.c.remaining + points <= lot_amount,
            )
            .values(remaining=entries.c.remaining + points)
        ).rowcount
        if not reopened:
            expired += points
            _append(
                spent.member_id, EXPIRE, "expire", -points, actor=actor, now=now, lot_id=lot_id,
                source_type="lot", source_id=lot_id, expires_at=expires_at,
            )  # fmt: skip
    _allocate(entry, [(lot_id, points) for lot_id, points, _at in drawn])
    db.session.execute(
        update(members)
        .where(members.c.id == spent.member_id)
        .values(points_balance=members.c.points_balance + (-spent.points - expired))
    )
    forget_member(spent.member_id)
    return entry
