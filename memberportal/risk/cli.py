"""`flask risk scan`: run the detection pass (every few minutes, or nightly)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from memberportal.core.clock import local, utcnow

risk = AppGroup("risk", help="Risk checks on abnormal transactions.")


@risk.command("scan")
def scan_command() -> None:
    """Flag abnormal purchases and refunds recorded since the last scan."""
    from memberportal.risk import services

    result = services.scan(now=utcnow())
    click.echo(
        f"Scanned from {local(result.since):%Y-%m-%d %H:%M} to {local(result.until):%Y-%m-%d %H:%M}"
        f" (brand time): {result.new_flags} new flag(s)."
    )
