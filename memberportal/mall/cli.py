"""`flask --app app mall ...`: scheduled mall jobs."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from memberportal.core.clock import utcnow

mall = AppGroup("mall", help="Points mall jobs.")


@mall.command("release-expired")
def release_expired() -> None:
    """Cancel orders whose payment hold ran out, returning their stock and points; then ask
    again for refunds still owed (a gateway failure earlier)."""
    from memberportal.mall import refunds, services

    released = services.release_expired(now=utcnow())
    click.echo(f"Released {len(released)} unpaid orders.")
    requested, failed = refunds.send_owed(now=utcnow())
    if requested or failed:
        click.echo(f"Refunds requested: {requested}, failed (retried next run): {failed}.")
