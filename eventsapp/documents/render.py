"""Documents rendered: the annotated agenda PDF, the List of Documents (PDF, CSV), and the
download headers of a stored file. Pure functions of the data in `programme.py`."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from reportlab.lib.units import mm

from ..labels import end_time_label, time_label, weekday_label
from ..reference import AGENDA_KINDS
from ..reports import pdf
from ..reports.exports import to_csv
from .programme import DocumentList, Programme

WIDTH = 174 * mm
PROVISIONAL = "PROVISIONAL"
# A stored file must never run in the site's origin, even if a browser were to render it.
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


def programme_pdf(p: Programme) -> bytes:
    """The annotated agenda: per day its date and UTC offset, each item's number, time,
    title, room, chairs, speakers, annotation and documents by number."""
    title = f"Annotated agenda: {p.title}"
    story = []
    if p.provisional:
        story.append(pdf.para(f"{PROVISIONAL}: times are still to be confirmed", "h2"))
    story += [pdf.para(title, "title"), pdf.para(f"{p.dates} · {p.venue}"),
              pdf.para(f"All times are local time at the venue ({p.timezone}); each day "
                       "gives its offset from UTC.")]
    if not p.days:
        story.append(pdf.para("The agenda has not been published yet."))
    for day in p.days:
        story.append(pdf.para(f"{weekday_label(day.day)} (times in {day.utc_offset})", "h2"))
        rows = []
        for item in day.items:
            # As the event page says it: '19:00–24:00', '22:00–01:00 next day'.
            when = (f"{time_label(item.starts_at, p.timezone)}–"
                    f"{end_time_label(item.starts_at, item.ends_at, p.timezone)}")
            head = f"{item.number} " if item.number else ""
            text = [f"{head}{'Cancelled: ' if item.cancelled else ''}{item.title}"]
            if item.kind not in ("session", "plenary"):
                text.append(AGENDA_KINDS.get(item.kind, item.kind))
            if item.room:
                text.append(f"Room: {item.room}")
            if item.chairs:
                text.append(("Chair: " if len(item.chairs) == 1 else "Chairs: ")
                            + ", ".join(item.chairs))
            if item.speakers:
                text.append("Speakers: " + ", ".join(item.speakers))
            if item.description:
                text.append(item.description)
            if item.documents:
                text.append("Documents: " + "; ".join(
                    f"{d.number}{' ' + d.revision if d.revision else ''} {d.title}"
                    for d in item.documents))
            rows.append([when, pdf.para("\n".join(text), "cell")])
        story.append(pdf.table(["Time", "Item"], rows, [WIDTH * 0.16, WIDTH * 0.84]))
    subject = "Provisional annotated agenda" if p.provisional else "Annotated agenda"
    return pdf.render(story, title=(f"{PROVISIONAL} " if p.provisional else "") + title,
                      group_name=p.group_name, subject=subject)


LIST_HEADER = ("number", "revision", "title", "submitted_by", "language", "access",
               "agenda_item", "deliverable", "type", "bytes", "submitted_at_utc", "late")


def document_rows(doc_list: DocumentList) -> list[tuple]:
    return [(r.number, r.revision, r.title, r.submitted_by, r.language, r.access, r.agenda_item,
             r.deliverable, r.kind, r.size,
             r.submitted_at.strftime("%Y-%m-%dT%H:%M:%SZ") if r.submitted_at else "",
             "yes" if r.late else "no")
            for r in doc_list.rows]


def document_list_csv(doc_list: DocumentList) -> bytes:
    return to_csv(LIST_HEADER, document_rows(doc_list))


def document_list_pdf(doc_list: DocumentList) -> bytes:
    title = f"List of Documents: {doc_list.title}"
    story = [pdf.para(title, "title"), pdf.para(f"{doc_list.dates} · {doc_list.venue}")]
    if doc_list.deadline_local:
        story.append(pdf.para(f"Submission deadline: {doc_list.deadline_local} (local time). "
                              "Papers received after it are marked late."))
    if doc_list.rows:
        rows = [[f"{r.number}{' ' + r.revision if r.revision else ''}",
                 r.title + (" (late)" if r.late else ""), r.submitted_by,
                 r.agenda_item, r.access_label] for r in doc_list.rows]
        story.append(pdf.table(["Number", "Title", "Submitted by", "Agenda item", "Access"],
                               rows, [WIDTH * 0.24, WIDTH * 0.32, WIDTH * 0.14, WIDTH * 0.18,
                                      WIDTH * 0.12]))
    else:
        story.append(pdf.para("No documents yet."))
    return pdf.render(story, title=title, group_name=doc_list.group_name,
                      subject="List of Documents")


# --- download headers -------------------------------------------------------------------------


def download_name(number: str, revision: int, title: str, extension: str) -> str:
    """'2020-CTWG15-005 rev1 Preliminary report on STM.pdf': the number first, so files sort
    as the List of Documents does; no path separators, controls or direction marks."""
    stem = number.replace("/", "-") + (f" rev{revision}" if revision else "")
    clean = "".join(c for c in unicodedata.normalize("NFC", title)
                    if unicodedata.category(c)[0] not in "CZ" or c == " ")
    clean = re.sub(r'[\\/:*?"<>|]+', " ", clean)
    clean = " ".join(clean.split())[:80].strip(" .")
    return f"{stem} {clean}.{extension}" if clean else f"{stem}.{extension}"


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII `filename` and the exact name as RFC 5987 `filename*`
    (RFC 6266 §4.3: clients that know filename* prefer it)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9 ._()-]", "_", ascii_name).strip() or "document"
    value = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value
