"""Reads of stored value, scoped to who may see them: a member's own wallet and history; the
staff's spends of a member; the owner's liability; the ledger check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, exists, func, not_, select

from memberportal.core.clock import start_of_day
from memberportal.extensions import db
from memberportal.wallet.models import (
    BalanceTier,
    Spend,
    TopUp,
    TopUpPlan,
    Wallet,
    WalletEntry,
    WalletSettings,
)


def wallet_of(member_id: int) -> Wallet:
    """The member's wallet (an empty, unsaved one when they never topped up)."""
    found = db.session.get(Wallet, member_id, populate_existing=True)
    return found or Wallet(member_id=member_id, principal_cents=0, bonus_cents=0, open_disputes=0)


HISTORY_PAGE = 50


def history_for_member(
    member_id: int, *, limit: int = HISTORY_PAGE, before_id: int | None = None
) -> list[WalletEntry]:
    """The member's own movements, newest first (a page older than `before_id`)."""
    query = select(WalletEntry).where(WalletEntry.member_id == member_id)
    if before_id:
        query = query.where(WalletEntry.id < before_id)
    return list(db.session.scalars(query.order_by(WalletEntry.id.desc()).limit(limit)))


def plans_on_sale(now: datetime) -> list[TopUpPlan]:
    plans = db.session.scalars(
        select(TopUpPlan).where(TopUpPlan.active.is_(True)).order_by(TopUpPlan.pay_cents)
    )
    return [plan for plan in plans if plan.on_sale(now)]


def all_plans() -> list[TopUpPlan]:
    return list(db.session.scalars(select(TopUpPlan).order_by(TopUpPlan.pay_cents, TopUpPlan.id)))


def plan_or_none(plan_id: int) -> TopUpPlan | None:
    return db.session.get(TopUpPlan, plan_id)


def topup_for_member(topup_id: int, member_id: int) -> TopUp | None:
    return db.session.scalar(
        select(TopUp).where(TopUp.id == topup_id, TopUp.member_id == member_id)
    )


def topup_or_none(topup_id: int) -> TopUp | None:
    """Any member's top-up: for staff pages only."""
    return db.session.get(TopUp, topup_id)


def topup_by_session(session_id: str, member_id: int) -> TopUp | None:
    return db.session.scalar(
        select(TopUp).where(TopUp.checkout_session_id == session_id, TopUp.member_id == member_id)
    )


def topups_of(member_id: int, limit: int = 50) -> list[TopUp]:
    return list(
        db.session.scalars(
            select(TopUp)
            .where(TopUp.member_id == member_id, TopUp.state != "pending")
            .order_by(TopUp.id.desc())
            .limit(limit)
        )
    )


def spends_of(member_id: int, limit: int = 50) -> list[Spend]:
    return list(
        db.session.scalars(
            select(Spend).where(Spend.member_id == member_id).order_by(Spend.id.desc()).limit(limit)
        )
    )


def spend_by_ref(source: str, order_ref: str) -> Spend | None:
    return db.session.scalar(
        select(Spend).where(Spend.source == source, Spend.order_ref == order_ref)
    )


def spend_or_none(spend_id: int) -> Spend | None:
    return db.session.get(Spend, spend_id)


@dataclass(frozen=True)
class Outstanding:
    principal_cents: int
    bonus_cents: int
    wallets: int

    @property
    def total_cents(self) -> int:
        return self.principal_cents + self.bonus_cents


def outstanding() -> Outstanding:
    """What the brand owes its members in stored value now."""
    row = db.session.execute(
        select(
            func.coalesce(func.sum(Wallet.principal_cents), 0),
            func.coalesce(func.sum(Wallet.bonus_cents), 0),
            func.count().filter(Wallet.principal_cents + Wallet.bonus_cents > 0),
        )
    ).one()
    return Outstanding(int(row[0]), int(row[1]), int(row[2]))


@dataclass(frozen=True)
class MonthMovement:
    month: date
    by_kind: dict[str, tuple[int, int]]  # kind -> (principal, bonus), signed

    def net(self) -> tuple[int, int]:
        return (
            sum(p for p, _b in self.by_kind.values()),
            sum(b for _p, b in self.by_kind.values()),
        )


def movement_by_month(last_month: date, months: int = 12) -> list[MonthMovement]:
    """Each brand-local month's movement of stored value by kind, newest first."""
    found = []
    year, month = last_month.year, last_month.month
    for _ in range(months):
        start = start_of_day(date(year, month, 1))
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        end = start_of_day(nxt)
        rows = db.session.execute(
            select(
                WalletEntry.kind,
                func.sum(WalletEntry.principal_cents),
                func.sum(WalletEntry.bonus_cents),
            )
            .where(WalletEntry.at >= start, WalletEntry.at < end)
            .group_by(WalletEntry.kind)
        )
        found.append(MonthMovement(date(year, month, 1), {k: (int(p), int(b)) for k, p, b in rows}))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return found


@dataclass(frozen=True)
class Mismatch:
    member_id: int
    principal_cents: int
    bonus_cents: int
    ledger_principal: int
    ledger_bonus: int


def ledger_mismatches() -> list[Mismatch]:
    """Members whose cached wallet differs from the sum of their ledger entries (a wallet
    missing while entries exist counts as zero)."""
    sums = (
        select(
            WalletEntry.member_id.label("member_id"),
            func.sum(WalletEntry.principal_cents).label("p"),
            func.sum(WalletEntry.bonus_cents).label("b"),
        )
        .group_by(WalletEntry.member_id)
        .subquery()
    )
    found = []
    rows = db.session.execute(
        select(
            Wallet.member_id, Wallet.principal_cents, Wallet.bonus_cents, sums.c.p, sums.c.b
        ).outerjoin(sums, sums.c.member_id == Wallet.member_id)
    )
    seen = set()
    for member_id, principal, bonus, p, b in rows:
        seen.add(member_id)
        if (principal, bonus) != (int(p or 0), int(b or 0)):
            found.append(Mismatch(member_id, principal, bonus, int(p or 0), int(b or 0)))
    for member_id, p, b in db.session.execute(select(sums.c.member_id, sums.c.p, sums.c.b)):
        if member_id not in seen and (p or b):
            found.append(Mismatch(member_id, 0, 0, int(p or 0), int(b or 0)))
    return found


def tier_benefits_held(member_id: int, tier_id: int) -> bool:
    """False while the program ties tiers to the balance, the member's tier needs it and
    their stored balance is zero (余额为0时自动降级): they then have no tier benefits."""
    return bool(db.session.scalar(select(tier_benefits_held_clause(member_id, tier_id))))


def tier_benefits_held_clause(member_id, tier_id):
    """tier_benefits_held as SQL over values or columns, for a caller's own query (a
    purchase's context reads it with the member's row)."""
    needs_balance = (
        select(WalletSettings.tier_needs_balance).where(WalletSettings.id == 1).scalar_subquery()
    )
    balance = (
        select(Wallet.principal_cents + Wallet.bonus_cents)
        .where(Wallet.member_id == member_id)
        .scalar_subquery()
    )
    tied = exists().where(BalanceTier.tier_id == tier_id)
    return not_(and_(func.coalesce(needs_balance, False), tied, func.coalesce(balance, 0) <= 0))


def balance_tier_ids() -> set[int]:
    return set(db.session.scalars(select(BalanceTier.tier_id)))
