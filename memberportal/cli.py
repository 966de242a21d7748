"""Command line: setup, create-staff, translations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from flask_migrate import upgrade

from memberportal.core.actors import SystemActor
from memberportal.core.errors import DomainError
from memberportal.memberships.cli import memberships_cli


def init_app(app: Flask) -> None:
    from memberportal.api.cli import api_group, create_api_client
    from memberportal.coupons.cli import coupons
    from memberportal.mall.cli import mall
    from memberportal.notifications.cli import notifications
    from memberportal.points.cli import points, tiers
    from memberportal.risk.cli import risk
    from memberportal.wallet.cli import wallet

    for command in (setup, create_staff, i18n, create_api_client, api_group, mall, points, tiers,
                    memberships_cli, coupons, risk, wallet, notifications):  # fmt: skip
        app.cli.add_command(command)


@click.command("setup")
@click.option("--demo", is_flag=True, help="Also load the reference demo program.")
def setup(demo: bool) -> None:
    """Create or upgrade the schema (migrations); with --demo, load the demo program."""
    from flask import current_app

    upgrade(directory=current_app.extensions["migrate"].directory)
    click.echo("Schema is up to date.")
    if demo:
        from memberportal import demo as demo_data

        created = demo_data.load()
        click.echo(
            f"Demo program loaded ({created} new rows)." if created else "Demo data present."
        )


@click.command("create-staff")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["owner", "manager", "cashier"]))
@click.option("--name", default="", help="Display name (default: the email's local part).")
def create_staff(email: str, role: str, name: str) -> None:
    """Create a staff account; the password is prompted for, or read from piped stdin."""
    from memberportal.accounts import services

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        staff = services.create_staff(
            email, name, role, password, actor=SystemActor(audit_label="cli create-staff")
        )
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    click.echo(f"Created {staff.role} {staff.email}.")


i18n = AppGroup("i18n", help="Translation catalogs (one per area, plus a common one).")

ROOT = Path(__file__).resolve().parent


def _catalogs() -> dict[str, tuple[Path, list[Path]]]:
    """Catalog directory -> the sources whose messages it holds."""
    templates = ROOT.parent / "templates"
    areas = {}
    for area_dir in sorted(p for p in ROOT.iterdir() if (p / "translations").is_dir()):
        name = area_dir.name
        sources = [area_dir, templates / name, templates / "merchant" / name]
        areas[name] = (area_dir / "translations", [s for s in sources if s.exists()])
    covered = set(areas)
    common = [
        p
        for p in ROOT.iterdir()
        if p.is_dir()
        and p.name not in covered
        and p.name not in ("translations", "migrations", "__pycache__")
    ]
    common += [p for p in ROOT.glob("*.py")]
    common += [
        p
        for p in templates.iterdir()
        if p.is_dir() and p.name not in covered and p.name != "merchant"
    ]
    common += (
        [p for p in (templates / "merchant").iterdir() if p.name not in covered]
        if (templates / "merchant").exists()
        else []
    )
    areas["common"] = (ROOT / "translations", common)
    return areas


@i18n.command("update")
def i18n_update() -> None:
    """Extract messages into each catalog and merge them into its zh .po file."""
    cfg = ROOT.parent / "babel.cfg"
    for name, (directory, sources) in _catalogs().items():
        pot = directory / "messages.pot"
        directory.mkdir(parents=True, exist_ok=True)
        # No line numbers and a sorted catalog: changes made side by side merge without conflicts.
        _pybabel(
            ["extract", "-F", str(cfg), "-k", "_l", "--no-location", "--sort-output"]
            + ["-o", str(pot), *map(str, sources)]
        )
        po = directory / "zh" / "LC_MESSAGES" / "messages.po"
        action = "update" if po.exists() else "init"
        _pybabel([action, "-i", str(pot), "-d", str(directory), "-l", "zh"])
        pot.unlink()
        click.echo(f"{name}: {po}")


@i18n.command("compile")
def i18n_compile() -> None:
    """Compile every .po into the .mo files the app reads."""
    compile_catalogs()


def compile_catalogs() -> None:
    for directory, _sources in _catalogs().values():
        if (directory / "zh").exists():
            _pybabel(["compile", "-d", str(directory)])


def _pybabel(args: list[str]) -> None:
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own paths
        [sys.executable, "-m", "babel.messages.frontend", *args], capture_output=True, text=True
    )
    if result.returncode:
        raise click.ClickException(result.stderr.strip() or "pybabel failed")
