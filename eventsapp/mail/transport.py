"""Getting messages out: SMTP when MAIL_SERVER is set, otherwise .eml files in instance/mail/."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.utils import parseaddr
from pathlib import Path
from typing import NamedTuple

from flask import Flask

from ..files import private_dir, write_private

log = logging.getLogger(__name__)
SMTP_TIMEOUT_SECONDS = 10


_announced_dirs: set[Path] = set()


class Envelope(NamedTuple):
    id: int
    to_addr: str
    raw: bytes


def send_all(app: Flask, messages: list[Envelope]) -> list[str | None]:
    """Send each message; return None for each one sent, or the error."""
    if not messages:
        return []
    if not app.config.get("MAIL_SERVER"):
        return [_write_file(app, m) for m in messages]
    try:
        smtp = _connect(app)
    except (OSError, smtplib.SMTPException) as exc:
        error = f"cannot reach SMTP server: {exc!r}"
        log.warning("Mail not sent (%s); it stays in the outbox", error)
        return [error] * len(messages)
    sender = parseaddr(app.config["MAIL_DEFAULT_SENDER"])[1]
    results: list[str | None] = []
    with smtp:
        for m in messages:
            try:
                smtp.sendmail(sender, [m.to_addr], m.raw)
                results.append(None)
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("Mail %s to %s not sent: %r", m.id, m.to_addr, exc)
                results.append(repr(exc))
    return results


def _connect(app: Flask) -> smtplib.SMTP:
    smtp = smtplib.SMTP(app.config["MAIL_SERVER"], int(app.config.get("MAIL_PORT") or 25),
                        timeout=SMTP_TIMEOUT_SECONDS)
    try:
        if app.config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if app.config.get("MAIL_USERNAME"):
            smtp.login(app.config["MAIL_USERNAME"], app.config.get("MAIL_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def mail_dir(app: Flask) -> Path:
    return Path(app.config.get("MAIL_FILE_DIR") or Path(app.instance_path) / "mail")


def _write_file(app: Flask, message: Envelope) -> str | None:
    directory = mail_dir(app)
    try:
        private_dir(directory)
        path = directory / f"{message.id:08d}.eml"
        write_private(path, message.raw)  # it holds the recipient's private link
    except OSError as exc:
        return repr(exc)
    if directory not in _announced_dirs:
        _announced_dirs.add(directory)
        app.logger.warning("No MAIL_SERVER configured: email is written as .eml files to %s",
                           directory)
    app.logger.info("Wrote mail to %s at %s", message.to_addr, path)
    return None
