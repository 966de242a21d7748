"""`flask --app app coupons ...`: scheduled coupon jobs."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from memberportal.core.clock import utcnow

coupons = AppGroup("coupons", help="Coupon jobs.")


@coupons.command("issue")
@click.option("--batch", default=500, show_default=True, help="Members per transaction.")
def issue(batch: int) -> None:
    """Issue every member the tier, paid-card, birthday and member-day coupons they are owed
    now (run it nightly, after midnight in the brand's time zone so that member-day coupons
    last the whole day; once each per tier, paid period, quarter, birthday year or member-day
    month, so safe to rerun)."""
    from memberportal.coupons import services
    from memberportal.notifications.services import warn_expiring_coupons

    issued = services.issue_all_coupons(now=utcnow(), batch=batch)
    click.echo(f"Issued {issued.tier} tier coupons and {issued.paid} paid-card coupons.")
    click.echo(
        f"Issued {issued.birthday} birthday coupons and {issued.member_day} member-day coupons."
    )
    click.echo(f"Checked {warn_expiring_coupons(utcnow())} coupons expiring soon (warned once).")


@coupons.command("issue-tier")
@click.option("--batch", default=500, show_default=True, help="Members per transaction.")
def issue_tier(batch: int) -> None:
    """Issue every member the tier coupons they are owed (once each; safe to rerun)."""
    from memberportal.coupons import services

    issued = services.issue_all_tier_coupons(now=utcnow(), batch=batch)
    click.echo(f"Issued {issued} tier coupons.")
