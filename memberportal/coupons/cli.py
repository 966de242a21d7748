"""`flask --app app coupons ...`: scheduled coupon jobs."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from memberportal.core.clock import utcnow

coupons = AppGroup("coupons", help="Coupon jobs.")


@coupons.command("issue")
@click.option("--batch", default=500, show_default=True, help="Members per transaction.")
def issue(batch: int) -> None:
    """Issue every member the tier and paid-card coupons they are owed now (run it nightly;
    once each per tier, paid period or quarter, so safe to rerun)."""
    from memberportal.coupons import services

    tier, paid = services.issue_all_coupons(now=utcnow(), batch=batch)
    click.echo(f"Issued {tier} tier coupons and {paid} paid-card coupons.")


@coupons.command("issue-tier")
@click.option("--batch", default=500, show_default=True, help="Members per transaction.")
def issue_tier(batch: int) -> None:
    """Issue every member the tier coupons they are owed (once each; safe to rerun)."""
    from memberportal.coupons import services

    issued = services.issue_all_tier_coupons(now=utcnow(), batch=batch)
    click.echo(f"Issued {issued} tier coupons.")
