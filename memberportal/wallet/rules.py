"""Pure stored-value arithmetic (no database): how a payment splits into principal and bonus,
what a refund of it gives back, what a top-up refund returns and forfeits."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Parts:
    principal_cents: int
    bonus_cents: int

    @property
    def total_cents(self) -> int:
        return self.principal_cents + self.bonus_cents


def split_spend(amount_cents: int, principal_cents: int, bonus_cents: int) -> Parts:
    """A payment takes principal and bonus in the proportion the wallet holds them now.

    The bonus part is floored to the fen and the principal takes the rest, so the principal
    part is the ceiling of its share and neither part can exceed what the wallet holds when
    the balance covers the amount. Example: wallet 500 + 50, pay 110 -> 100 principal, 10 bonus.
    """
    total = principal_cents + bonus_cents
    if amount_cents <= 0 or total < amount_cents:
        raise ValueError("the balance does not cover the amount")
    bonus = amount_cents * bonus_cents // total
    return Parts(amount_cents - bonus, bonus)


def refund_parts(spend: Parts, refunded_before: int, refunded_after: int) -> Parts:
    """What a refund of a spend gives back, in the spend's own proportion.

    The bonus returned so far is always floor(refunded * bonus / amount), so partial refunds
    add up exactly to the spend's parts when it is refunded in full.
    """
    amount = spend.total_cents
    if not 0 <= refunded_before < refunded_after <= amount:
        raise ValueError("refund outside the spend")
    bonus = (refunded_after * spend.bonus_cents // amount) - (
        refunded_before * spend.bonus_cents // amount
    )
    return Parts(refunded_after - refunded_before - bonus, bonus)


def topup_refund(
    pay_cents: int, bonus_cents: int, wallet_principal: int, wallet_bonus: int
) -> tuple[int, int]:
    """A refunded top-up returns the unspent principal and forfeits the unspent bonus: the
    principal still in the wallet up to what the top-up paid (returned to the card), and the
    bonus still in the wallet up to what the top-up gave (taken back, not paid out)."""
    return min(pay_cents, wallet_principal), min(bonus_cents, wallet_bonus)
