"""`flask --app eventsapp send-mail`: deliver what the outbox holds."""

from __future__ import annotations

import click
from flask import Blueprint, current_app

from .outbox import deliver_pending
from .transport import mail_dir

bp = Blueprint("mail", __name__, cli_group=None)


@bp.cli.command("send-mail")
@click.option("--limit", default=500, show_default=True, help="At most this many messages.")
def send_mail(limit: int) -> None:
    """Deliver pending email (SMTP, or .eml files when MAIL_SERVER is not set)."""
    sent, failed = deliver_pending(limit)
    where = current_app.config.get("MAIL_SERVER") or f"files in {mail_dir(current_app)}"
    click.echo(f"Sent {sent}, failed {failed} (via {where}).")
    if failed:
        raise SystemExit(1)
