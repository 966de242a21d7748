"""Scheduled commands: `flask points expire`, `flask points verify`, `flask tiers reevaluate`."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow

points = AppGroup("points", help="The points ledger.")
tiers = AppGroup("tiers", help="Growth and tiers.")


@points.command("expire")
def expire() -> None:
    """Expire every lot whose expiry has passed (safe to run twice or on two hosts)."""
    from memberportal.notifications.services import warn_expiring_points
    from memberportal.points import ledger

    count = ledger.expire_due(utcnow())
    click.echo(f"Expired {count} lots.")
    click.echo(f"Wrote {warn_expiring_points(utcnow())} expiry warnings.")


@points.command("verify")
def verify() -> None:
    """Check every member's balance against the open lots minus debt and the ledger."""
    from memberportal.points.queries import ledger_mismatches

    bad = ledger_mismatches()
    for m in bad:
        click.echo(
            f"member {m.member_id}: balance {m.balance}, debt {m.debt}, open lots "
            f"{m.open_lots}, ledger {m.entries_sum}, ledger debt {m.entries_debt}",
            err=True,
        )
    if bad:
        sys.exit(1)
    click.echo("All balances match the ledger.")


@tiers.command("reevaluate")
def reevaluate() -> None:
    """Recount growth over the qualification period; settle tiers whose period ended."""
    from memberportal.tiers import services

    result = services.reevaluate(utcnow(), actor=SystemActor(audit_label="tiers reevaluate"))
    click.echo(f"{result['ended_periods']} periods ended, {result['moved']} members moved.")
