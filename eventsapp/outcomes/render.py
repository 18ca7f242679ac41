"""The Chair's Summary as PDF: a pure function of `summary.ChairsSummary`."""

from __future__ import annotations

from reportlab.lib.units import mm

from ..reports import pdf
from .summary import ActionRow, ChairsSummary

WIDTH = 174 * mm


def _actions(rows: tuple[ActionRow, ...], *, origin: bool = False) -> list:
    header = ["Action", "Who", "By", "Deliverable", "Status"]
    widths = [WIDTH * 0.36, WIDTH * 0.17, WIDTH * 0.15, WIDTH * 0.14, WIDTH * 0.18]
    body = []
    for a in rows:
        what = a.text
        if origin:
            what = f"{a.origin}{' item ' + a.item_number if a.item_number else ''}: {what}"
        status = "Open" if a.is_open else "Closed"
        if a.closing_note:
            status += f" ({a.closing_note})"
        body.append([what, a.owner, a.due, a.deliverable, status])
    return [pdf.table(header, body, widths)]


def chairs_summary_pdf(s: ChairsSummary) -> bytes:
    title = f"Chair's Summary: {s.title}"
    story = [pdf.para(title, "title"), pdf.para(f"{s.dates} · {s.venue}")]
    if not s.published:
        story.append(pdf.para("DRAFT: not yet published.", "h2"))
    if s.carried_forward:
        story += [pdf.para("Open actions carried forward from earlier meetings", "h2")]
        story += _actions(s.carried_forward, origin=True)
    if not s.items:
        story.append(pdf.para("No decisions or actions have been recorded."))
    for item in s.items:
        story.append(pdf.para(f"{item.number} {item.title}".strip(), "h2"))
        if item.documents:
            story.append(pdf.para("Documents: " + "; ".join(
                f"{d.number}{' ' + d.revision if d.revision else ''} {d.title}"
                for d in item.documents)))
        if item.decisions:
            story.append(pdf.para("Decisions", "h3"))
            story += [pdf.para(f"{n}. {d.text}"
                               + (f" (deliverable {d.deliverable})" if d.deliverable else ""))
                      for n, d in enumerate(item.decisions, start=1)]
        if item.actions:
            story.append(pdf.para("Action items", "h3"))
            story += _actions(item.actions)
    if s.next_meeting:
        story.append(pdf.para(f"Open action items carry forward to the {s.next_meeting}."))
    return pdf.render(story, title=title, group_name=s.group_name, subject="Chair's Summary")
