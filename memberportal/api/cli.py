"""Command line for API clients."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from memberportal.api import services
from memberportal.core.actors import SystemActor
from memberportal.core.errors import DomainError


@click.command("create-api-client")
@click.argument("name")
def create_api_client(name: str) -> None:
    """Create an API client for a store or shop system and print its token (shown once)."""
    try:
        client, token = services.create_client(
            name, actor=SystemActor(audit_label="cli create-api-client")
        )
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    click.echo(f"Created API client {client.name!r}. Its token (shown only now):")
    click.echo(token)


api_group = AppGroup("api", help="API housekeeping.")


@api_group.command("purge-keys")
def purge_keys() -> None:
    """Forget request keys older than 7 days (run daily)."""
    click.echo(f"Removed {services.purge_idempotency()} request keys older than 7 days.")
