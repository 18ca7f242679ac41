"""Set-up commands: `flask --app eventsapp init-db | seed`."""

from __future__ import annotations

import click
from flask import Blueprint
from flask_migrate import upgrade

from .seed.loader import load_work_plan

bp = Blueprint("cli", __name__, cli_group=None)


@bp.cli.command("init-db")
def init_db() -> None:
    """Create the schema, or upgrade it to the latest migration. Never drops data."""
    upgrade()
    click.echo("Database schema is up to date.")


@bp.cli.command("seed")
def seed() -> None:
    """Load the 2020 CTWG work plan. Running it again changes nothing."""
    created = load_work_plan()
    if any(created.values()):
        click.echo("Loaded: " + ", ".join(f"{n} {k}" for k, n in created.items() if n))
    else:
        click.echo("The 2020 work plan is already loaded; nothing changed.")
