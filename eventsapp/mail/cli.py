"""`flask --app eventsapp send-mail`: deliver what the outbox holds."""

from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import timedelta

import click
from flask import Blueprint, current_app

from ..extensions import db
from .outbox import deliver_pending, purge_sent
from .transport import mail_dir

bp = Blueprint("mail", __name__, cli_group=None)


@bp.cli.command("send-mail")
@click.option("--limit", default=500, show_default=True, help="At most this many messages.")
@click.option("--watch", is_flag=True,
              help="Keep running: send what is due, then look again every --interval seconds.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between looks.")
def send_mail(limit: int, watch: bool, interval: float) -> None:
    """Deliver pending email (SMTP, or .eml files when MAIL_SERVER is not set).

    With --watch this is the mail service of a deployment with MAIL_SEND_AFTER_REQUEST
    off (docs/DEPLOYMENT.md): requests only queue, and this process sends in batches. Each
    run (and each REMINDER_CHECK_SECONDS of --watch) first queues the reminders that are due;
    organisers' messages leave at MAIL_MESSAGES_PER_MINUTE.
    """
    where = current_app.config.get("MAIL_SERVER") or f"files in {mail_dir(current_app)}"
    if not watch:
        _reminders()
        sent, failed = deliver_pending(limit)
        click.echo(f"Sent {sent}, failed {failed} (via {where}).")
        if failed:
            raise SystemExit(1)
        return
    click.echo(f"Sending mail via {where} every {interval:g} s; stop with Ctrl+C or SIGTERM.")
    # SIGTERM (systemd, docker stop) lets the current batch finish, so nothing is sent twice.
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    next_housekeeping = time.monotonic()  # at start, then every HOUSEKEEPING_HOURS
    next_reminders = time.monotonic()  # at start, then every REMINDER_CHECK_SECONDS
    try:
        while not stopping.is_set():
            if current_app.config["HOUSEKEEPING_HOURS"] and \
                    time.monotonic() >= next_housekeeping:
                _housekeeping()
                next_housekeeping = time.monotonic() + \
                    float(current_app.config["HOUSEKEEPING_HOURS"]) * 3600
            if time.monotonic() >= next_reminders:
                _reminders()
                next_reminders = time.monotonic() + \
                    float(current_app.config["REMINDER_CHECK_SECONDS"])
            sent, failed = deliver_pending(limit)
            db.session.remove()
            if sent or failed:
                click.echo(f"Sent {sent}, failed {failed}.")
            if sent + failed < limit:  # a full batch means more may be waiting
                stopping.wait(interval)
    except KeyboardInterrupt:
        pass
    click.echo("Stopped.")


@bp.cli.command("purge-mail")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Delete messages sent more than this many days ago; default "
                   "OUTBOX_KEEP_DAYS (30).")
def purge_mail(days: int | None) -> None:
    """Delete sent messages from the outbox after OUTBOX_KEEP_DAYS (run it daily, e.g. from
    cron or a systemd timer next to the privacy purge)."""
    days = current_app.config["OUTBOX_KEEP_DAYS"] if days is None else days
    deleted = purge_sent(timedelta(days=days))
    click.echo(f"Deleted {deleted} message(s) sent more than {days} day(s) ago.")


def _reminders() -> None:
    """Queue the reminders that are due (messages/reminders.py: safe on several hosts); a
    failure is logged and tried again next time."""
    from ..messages.reminders import send_due

    try:
        queued = send_due()
        if queued:
            click.echo(f"Reminders: queued {queued}.")
    except Exception:  # noqa: BLE001 - logged; the watcher goes on sending
        db.session.rollback()
        logging.getLogger(__name__).exception("Reminders failed; tried again next time")
    finally:
        db.session.remove()


def _housekeeping() -> None:
    """The scheduler's daily work, done by the one long-running process the deployment has:
    sent mail past OUTBOX_KEEP_DAYS and personal data past each event's retention. A failure
    is logged and retried next time; it never stops the mail."""
    from ..privacy.services import purge_expired

    try:
        deleted = purge_sent(timedelta(days=current_app.config["OUTBOX_KEEP_DAYS"]))
        report = purge_expired()
        if deleted or report.anonymised or report.sensitive_cleared:
            click.echo(f"Housekeeping: deleted {deleted} sent message(s); anonymised "
                       f"{report.anonymised} registration(s), cleared sensitive details of "
                       f"{report.sensitive_cleared}.")
    except Exception:  # noqa: BLE001 - logged; the watcher goes on sending
        db.session.rollback()
        logging.getLogger(__name__).exception("Housekeeping failed; retried next time")
    finally:
        db.session.remove()
