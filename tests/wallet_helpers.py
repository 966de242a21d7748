"""Helpers for stored-value tests: plans, credited top-ups, and the wallet's invariants."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sqlalchemy import func, select

from memberportal.core.actors import SystemActor
from memberportal.extensions import db
from memberportal.wallet import plans, queries, services
from memberportal.wallet.models import Wallet, WalletEntry

T0 = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
ACTOR = SystemActor(audit_label="test")
_refs = itertools.count(1)


def plan(pay_cents: int = 50000, bonus_cents: int = 5000, **kw):
    return plans.save_plan(
        None,
        plans.PlanInput(name_zh=f"充{pay_cents // 100}", name_en=f"Top up {pay_cents // 100}",
                        pay_cents=pay_cents, bonus_cents=bonus_cents, **kw),
        actor=ACTOR, now=T0,
    )  # fmt: skip


def topped_up(member_id: int, pay_cents: int = 50000, bonus_cents: int = 5000, *, now=T0):
    """A top-up paid and credited as the verified webhook would credit it."""
    found = plan(pay_cents, bonus_cents)
    topup = services.start_topup(found.id, member_id, actor=ACTOR, now=now)
    assert services.credit_topup(
        topup.id, amount_cents=pay_cents, payment_intent=f"pi_test{topup.id}",
        session_id=f"cs_test{topup.id}", actor=ACTOR, now=now,
    )  # fmt: skip
    return topup


def pay(member_id: int, amount_cents: int, order_ref: str | None = None, *, now=T0):
    return services.spend(
        member_id, amount_cents, source="counter", order_ref=order_ref or f"T-{next(_refs)}",
        actor=ACTOR, now=now,
    )  # fmt: skip


def refund(spend_id: int, amount_cents: int, ref: str | None = None, *, now=T0):
    return services.refund_spend(
        spend_id, amount_cents, refund_ref=ref or f"R-{next(_refs)}", actor=ACTOR, now=now
    )


def state(member_id: int) -> dict:
    """The cached wallet and its ledger sums, read fresh."""
    db.session.expire_all()
    wallet = queries.wallet_of(member_id)
    p, b = db.session.execute(
        select(
            func.coalesce(func.sum(WalletEntry.principal_cents), 0),
            func.coalesce(func.sum(WalletEntry.bonus_cents), 0),
        ).where(WalletEntry.member_id == member_id)
    ).one()
    return {
        "principal": wallet.principal_cents,
        "bonus": wallet.bonus_cents,
        "ledger_principal": int(p),
        "ledger_bonus": int(b),
    }


def assert_invariants(member_id: int) -> dict:
    found = state(member_id)
    assert found["principal"] == found["ledger_principal"], found
    assert found["bonus"] == found["ledger_bonus"], found
    assert found["principal"] >= 0 and found["bonus"] >= 0, found
    assert queries.ledger_mismatches() == []
    return found


def wallet_row(member_id: int) -> Wallet | None:
    db.session.expire_all()
    return db.session.get(Wallet, member_id)
