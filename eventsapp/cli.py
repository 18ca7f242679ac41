"""Set-up commands: `flask --app eventsapp init-db | seed`."""

from __future__ import annotations

import click
from flask import Blueprint
from flask_migrate import upgrade
from sqlalchemy import func, select

from .copydb import CopyError, copy_database
from .extensions import db
from .i18n import ngettext
from .models import User
from .seed.loader import load_work_plan

bp = Blueprint("cli", __name__, cli_group=None)


@bp.cli.command("init-db")
def init_db() -> None:
    """Create the schema, or upgrade it to the latest migration. Never drops data."""
    upgrade()
    click.echo("Database schema is up to date.")


SEEDED = {"work_plan": ("%(num)d work plan", "%(num)d work plans"),
          "focus_areas": ("%(num)d focus area", "%(num)d focus areas"),
          "deliverables": ("%(num)d deliverable", "%(num)d deliverables"),
          "events": ("%(num)d event", "%(num)d events"),
          "agenda": ("%(num)d agenda item", "%(num)d agenda items"),
          "privacy_notice": ("%(num)d privacy notice", "%(num)d privacy notices")}


@bp.cli.command("seed")
@click.option("--demo", is_flag=True,
              help="Also add clearly fictional registrations and an upcoming fictional event.")
def seed(demo: bool) -> None:
    """Load the 2020 CTWG work plan. Running it again changes nothing."""
    created = load_work_plan()
    if any(created.values()):
        click.echo("Loaded: " + ", ".join(ngettext(*SEEDED[k], n) for k, n in created.items()
                                          if n))
    else:
        click.echo("The 2020 work plan is already loaded; nothing changed.")
    if demo:
        from .seed.demo import load_demo_registrations

        made = load_demo_registrations()
        click.echo(f"Added {made} fictional demo registrations." if made
                   else "The demo registrations are already there; nothing changed.")
        from .seed.documents import load_demo_documents

        papers = load_demo_documents()
        click.echo(f"Added {papers} demo papers and the outcomes of CTWG 15." if papers
                   else "The demo papers are already there; nothing changed.")
        from .seed.demo import DEMO_EVENT_SLUG, load_demo_event

        made = load_demo_event()
        click.echo(f"Added the fictional upcoming event {DEMO_EVENT_SLUG} with {made} "
                   "registrations (its dates follow today)." if made
                   else f"The demo event {DEMO_EVENT_SLUG} is already there; nothing changed.")
        _accreditation_demo()
    if not db.session.scalar(select(func.count()).select_from(User)):
        click.echo("No organiser account yet. Create one, then sign in at /login:\n"
                   "  .venv/bin/flask --app eventsapp create-user you@example.org --role admin")


def _accreditation_demo() -> None:
    from .seed.demo import DEMO_PASSWORD, load_accreditation_demo

    demo = load_accreditation_demo()
    if demo is None:
        click.echo("CTWG 16's accreditation demo is already there; nothing changed.")
        return
    click.echo(f"CTWG 16 now runs the APEC way: registrations need approval, observers come "
               f"by invitation ({demo.registrations} fictional registrations).")
    click.echo(f"Demo accounts (password {DEMO_PASSWORD}; sign in at /login; for trying "
               "only):")
    for email, role in demo.accounts:
        click.echo(f"  {email}  {role}")
    click.echo("Heads of delegation's private pages (add the server's address in front):")
    for economy, path in demo.heads:
        click.echo(f"  {economy}: {path}/delegation")
    click.echo("An invitation not answered yet:")
    for email, path in demo.invitations:
        click.echo(f"  {email}: {path}")
    click.echo("CTWG 16 took place in 2020, so its public form, adding from the heads' pages "
               "and the invitation are closed: to try them as they were, give it future dates "
               "on its Edit page (/admin/events/ctwg-16/edit). Approving and declining work as "
               "it is.")


@bp.cli.command("copy-db")
@click.option("--to", "target_url", required=True, help="SQLAlchemy URL of an empty database.")
def copy_db(target_url: str) -> None:
    """Copy every row of this database into another one, and verify the copy."""
    try:
        reports = copy_database(db.engine, target_url)
    except CopyError as exc:
        raise click.ClickException(str(exc)) from exc
    for r in reports:
        click.echo(f"{r.name:24} {r.rows:8} rows  sha256 {r.checksum[:16]}")
    click.echo("Copied and verified "
               + ngettext("%(num)d row", "%(num)d rows", sum(r.rows for r in reports))
               + " in " + ngettext("%(num)d table.", "%(num)d tables.", len(reports)))
