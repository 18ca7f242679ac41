"""Account commands: `flask --app eventsapp create-user | create-token`."""

from __future__ import annotations

import sys

import click
from flask import Blueprint
from sqlalchemy import select

from ..extensions import db
from ..models import DEFAULT_TOKEN_SCOPES, ROLES, TOKEN_SCOPES, Event
from . import services
from .roles import FOCAL_POINT_SCOPES

bp = Blueprint("auth_cli", __name__, cli_group=None)


@bp.cli.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--event", "slugs", multiple=True, metavar="SLUG",
              help="Limit the account to this event (repeatable); default: all events.")
@click.option("--temporary-password", is_flag=True,
              help="The person must choose their own password at their first sign-in "
                   "(use it when you create an account for someone else).")
@click.option("--economy", default=None, metavar="CODE",
              help="For --role focal_point: the economy's APEC code, e.g. SGP.")
def create_user(email: str, role: str, slugs: tuple[str, ...], economy: str | None,
                temporary_password: bool) -> None:
    """Create an account; the password comes from a hidden prompt or standard input."""
    events = []
    for slug in slugs:
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        if event is None:
            raise click.ClickException(f"There is no event {slug!r}.")
        events.append(event)
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = services.create_user(email, password, role, events=events, economy=economy,
                                    actor="cli", temporary=temporary_password)
    except services.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {user.role} account {user.email}.")


@bp.cli.command("create-token")
@click.argument("email")
@click.option("--name", default="", help="What the token is for.")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(TOKEN_SCOPES),
              help="What the token may do (repeatable); default: "
                   + ", ".join(DEFAULT_TOKEN_SCOPES) + ". A focal point's token: "
                   + " and ".join(FOCAL_POINT_SCOPES) + " only; check-in staff get none.")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Days until it expires; default API_TOKEN_DAYS (90), "
                   "at most API_TOKEN_MAX_DAYS (365).")
def create_token(email: str, name: str, scopes: tuple[str, ...], days: int | None) -> None:
    """Create a personal API token; it is printed once, on the last line."""
    user = services.get_user_by_email(email)
    if user is None or not user.active:
        raise click.ClickException(f"There is no active account {email!r}.")
    try:
        token = services.create_api_token(user, name, scopes=scopes or None, days=days,
                                          actor="cli")
    except services.TokenNotAllowedError as exc:
        # The role's rule (auth/roles.py), like an option out of range: a usage error, exit 2.
        raise click.UsageError(str(exc)) from exc
    except services.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    row = services.user_tokens(user)[0]
    click.echo(f"Scopes: {row.scopes}; expires {row.expires_at:%Y-%m-%d %H:%M} UTC.")
    click.echo("Keep this token secret; it is shown only now. Send it as "
               "'Authorization: Bearer <token>'.")
    click.echo(token)
