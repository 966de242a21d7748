"""`flask --app app mall ...`: scheduled mall jobs."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from memberportal.core.clock import utcnow

mall = AppGroup("mall", help="Points mall jobs.")


@mall.command("release-expired")
def release_expired() -> None:
    """Cancel orders whose payment hold ran out, returning their stock and points."""
    from memberportal.mall import services

    released = services.release_expired(now=utcnow())
    click.echo(f"Released {len(released)} unpaid orders.")
