"""`flask wallet verify`: every stored balance against its ledger."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

wallet = AppGroup("wallet", help="Stored value (储值).")


@wallet.command("verify")
def verify() -> None:
    """Check every wallet's principal and bonus against the sums of its ledger entries;
    exit non-zero and list the members where they differ."""
    from memberportal.wallet.queries import ledger_mismatches, outstanding

    bad = ledger_mismatches()
    for m in bad:
        click.echo(
            f"member {m.member_id}: principal {m.principal_cents}, bonus {m.bonus_cents}, "
            f"ledger principal {m.ledger_principal}, ledger bonus {m.ledger_bonus}",
            err=True,
        )
    if bad:
        sys.exit(1)
    owed = outstanding()
    click.echo(
        f"All balances match the ledger (outstanding: principal {owed.principal_cents} fen, "
        f"bonus {owed.bonus_cents} fen)."
    )
