"""An outbox row's parts as RFC 5322 bytes: a pure function, called by whoever sends.

Headers are encoded by the email library (`formataddr`, `Header`), never by string formatting.
Addresses go out in ASCII: an internationalised domain in its IDNA form
(`jonas@müller.example` → `jonas@xn--mller-kva.example`, RFC 5890), in the envelope and in
`To`. Names that are not plain ASCII, or that look like RFC 2047 encoded words themselves
(`=?utf-8?q?x?=`, which a mail client would otherwise decode), travel as encoded words,
folded into lines of at most 78 characters (RFC 5322 allows 998 octets).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr
from html import escape

import idna


@dataclass(frozen=True)
class Outgoing:
    """What sending needs of a message, read before the transaction ends."""

    id: int
    to_addr: str
    to_name: str
    subject: str
    body: str
    attachments: list
    message_id: str
    created_at: datetime
    attempts: int
    reply_to: str = ""


def encode_attachment(filename: str, mimetype: str, content: bytes) -> dict:
    return {"filename": filename, "type": mimetype,
            "content": base64.b64encode(content).decode("ascii")}


def build(message: Outgoing, sender: str) -> bytes:
    """The message in canonical form (CRLF line ends), ready for SMTP.

    The compat32 MIME classes, because the sender builds every message of a registration
    storm: they take about a third of the time of `EmailMessage`'s header registry.
    """
    body = _alternative(message.body)
    root = MIMEMultipart() if message.attachments else body
    root["From"] = sender
    root["To"] = _mailbox(message.to_name, ascii_address(message.to_addr))
    root["Subject"] = _header(message.subject)
    if message.reply_to:
        root["Reply-To"] = ascii_address(message.reply_to)
    root["Date"] = format_datetime(message.created_at)
    root["Message-ID"] = message.message_id
    if message.attachments:
        root.attach(body)
        for attachment in message.attachments:
            root.attach(_attachment(attachment))
    return root.as_bytes(policy=SMTP_COMPAT32)


SMTP_COMPAT32 = compat32.clone(linesep="\r\n")


class UnsendableAddress(ValueError):
    """The address cannot be written in ASCII (its part before the @ is not ASCII)."""


def ascii_address(address: str) -> str:
    """`address` with its domain in IDNA form (UTS-46 mapping, as email-validator checked it).

    :raises UnsendableAddress: the local part is not ASCII (needs SMTPUTF8; registration
        refuses such addresses, so only a row written before that rule can hold one).
    :raises idna.IDNAError: the domain cannot be encoded.
    """
    local, _, domain = address.rpartition("@")
    if not local.isascii():
        raise UnsendableAddress(f"{address!r} has non-ASCII letters before the @, which "
                                "needs SMTPUTF8; registration refuses such addresses")
    if not domain.isascii():
        domain = idna.encode(domain, uts46=True).decode("ascii")
    return f"{local}@{domain}"


def _needs_encoding(value: str) -> bool:
    # An ASCII text that contains "=?" would be decoded by the reader as an encoded word;
    # a word too long to fold is split only as encoded words are.
    return (not value.isascii() or "=?" in value
            or any(len(word) > LONGEST_PLAIN_WORD for word in value.split()))


LONGEST_PLAIN_WORD = 60


def _header(value: str) -> str | Header:
    return Header(value, "utf-8") if _needs_encoding(value) else value


def _mailbox(name: str, address: str) -> str | Header:
    """`name <address>`; the name quoted when it is plain ASCII, else RFC 2047 encoded."""
    if not name:
        return address
    if not _needs_encoding(name):
        return formataddr((name, address))
    header = Header(name, "utf-8", header_name="To")
    header.append(f"<{address}>", "us-ascii")
    return header


def _alternative(body: str) -> MIMEMultipart:
    """The plain text and an HTML copy made from it (multipart/alternative, plain first so
    a client that shows either prefers the HTML, RFC 2046 §5.1.4)."""
    part = MIMEMultipart("alternative")
    part.attach(_text(body))
    part.attach(_text(html_of(body), "html"))
    return part


_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")


def html_of(text: str) -> str:
    """An HTML rendering of a plain-text body: every character of the text escaped (names
    and organisers' words are never markup), paragraphs at blank lines, line breaks kept,
    web addresses made links. The same words as the text, so the two cannot disagree."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip("\n")):
        lines = []
        for line in block.split("\n"):
            out, last = [], 0
            for match in _URL.finditer(line):
                out.append(escape(line[last:match.start()]))
                url = escape(match.group(0))
                out.append(f'<a href="{url}">{url}</a>')
                last = match.end()
            out.append(escape(line[last:]))
            lines.append("".join(out))
        paragraphs.append("<p>" + "<br>\n".join(lines) + "</p>")
    return ('<!doctype html>\n<html><head><meta charset="utf-8"></head>\n'
            '<body style="font-family: sans-serif; line-height: 1.4">\n'
            + "\n".join(paragraphs) + "\n</body></html>\n")


def _text(body: str, subtype: str = "plain") -> MIMEText:
    body = "\r\n".join(body.splitlines()) + "\r\n"  # text travels with CRLF line ends
    return MIMEText(body, subtype, "us-ascii" if body.isascii() else "utf-8")


def _attachment(attachment: dict) -> MIMEBase:
    maintype, _, subtype = attachment["type"].partition("/")
    content = base64.b64decode(attachment["content"])
    if maintype == "text":
        # Text attachments name their charset, or clients guess (Indico #5228, .ics).
        part: MIMEBase = MIMEText(content.decode("utf-8"), subtype, "utf-8")
    else:
        part = MIMEApplication(content, subtype)
    part.add_header("Content-Disposition", "attachment", filename=attachment["filename"])
    return part
