"""Demo papers and outcomes of the 15th CTWG meeting (`seed --demo`).

The papers are small PDFs made here with reportlab; each says on its face that it is a
demo file, not the real document. They go through the document and outcome services, so
numbers, revisions, the late flag and carried-forward actions are real. Submission times
are set back to early 2020 afterwards, so that the deadline (3 February 2020, 17:00 at
the venue) flags exactly the one paper that came after it.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select, update

from ..database import unit_of_work
from ..documents import services as documents
from ..extensions import db
from ..models import Document, DocumentRevision, Event
from ..outcomes import services as outcomes

SLUG = "ctwg-15"
NOTE = "Demo file made by `seed --demo`: not the real meeting document."

# (title, economy, organisation, access, agenda item title starts with, deliverable,
#  submitted at (local), revised at (local) or None)
PAPERS = [
    ("Provisional annotated agenda", None, "APEC Secretariat", "public", "Charting", "1.1",
     (2020, 1, 20, 10, 0), None),
    ("CTWG Work Plan for 2020", "MAS", "CTWG Chair", "public", "Charting", "1.1",
     (2020, 1, 22, 15, 30), (2020, 2, 9, 18, 0)),
    ("Review of the APEC Counter-Terrorism and Secure Trade Strategy: proposed changes",
     None, "CTWG Chair", "participants", "Implementation", "1.3", (2020, 1, 28, 9, 0), None),
    ("Preliminary report of the findings of the survey on Strategic Trade Management", "CHL",
     "", "public", "Strategic Trade Management", "1.8", (2020, 2, 1, 11, 0), None),
    ("Counter Terrorism Action Plans: mid-term updates received", None, "APEC Secretariat",
     "participants", "Implementation", "1.4", (2020, 2, 5, 16, 45), None),
    ("Threat briefing: foreign terrorist fighters and terrorist financing", None,
     "CTWG Chair", "staff", "New terrorist challenges", None, (2020, 2, 3, 12, 0), None),
]
DEADLINE = (2020, 2, 3, 17, 0)


def demo_pdf(title: str, number_hint: str, lines: list[str]) -> bytes:
    """A one-page PDF that names itself a demo."""
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=True)
    canvas.setTitle(title)
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(72, 770, title[:80])
    canvas.setFont("Helvetica", 10)
    y = 745
    for line in [number_hint, NOTE, *lines]:
        canvas.drawString(72, y, line[:100])
        y -= 16
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def load_demo_documents() -> int:
    """Add the demo papers and outcomes of CTWG 15 unless there; returns papers added."""
    event = db.session.scalar(select(Event).where(Event.slug == SLUG))
    if event is None or db.session.scalar(select(Document.id).where(
            Document.event_id == event.id).limit(1)):
        return 0
    tz = ZoneInfo(event.timezone)
    documents.update_settings(event, event_code="CTWG15", number_scheme="",
                              deadline=datetime(*DEADLINE, tzinfo=tz))
    items = {i.title: i.id for i in event.agenda_items}

    def item_id(prefix: str) -> int | None:
        return next((i for t, i in items.items() if t.startswith(prefix)), None)

    made = []
    for title, economy, org, access, item, deliverable, at, revised in PAPERS:
        data = demo_pdf(title, "CTWG 15, Putrajaya, 10-11 February 2020",
                        [f"Submitted by: {economy or org}", f"Access: {access}"])
        doc = documents.submit_document(
            event, documents.DocumentInput(
                title=title, access=access, economy=economy, organisation=org,
                agenda_item_id=item_id(item), deliverable=deliverable),
            documents.Upload(io.BytesIO(data), "paper.pdf", len(data)))
        made.append((doc.id, at, revised))
        if revised:
            again = demo_pdf(title + " (rev1)", "CTWG 15", ["Revised after comments."])
            documents.submit_revision(doc, documents.Upload(io.BytesIO(again), "paper-rev1.pdf",
                                                            len(again)))
    with unit_of_work():
        for doc_id, at, revised in made:
            for revision, when in ((0, at), (1, revised)):
                if when is None:
                    continue
                db.session.execute(update(DocumentRevision).where(
                    DocumentRevision.document_id == doc_id,
                    DocumentRevision.revision == revision).values(
                    submitted_at=datetime(*when, tzinfo=tz)))
    _load_outcomes(event, item_id)
    return len(made)


def _load_outcomes(event: Event, item_id) -> None:
    charting, implementation = item_id("Charting"), item_id("Implementation")
    stm = item_id("Strategic Trade Management")
    outcomes.add_decision(event, outcomes.DecisionInput(
        "The meeting adopted the CTWG Work Plan for 2020.", charting, "1.1"))
    outcomes.add_decision(event, outcomes.DecisionInput(
        "The meeting agreed to keep reviewing the Counter-Terrorism and Secure Trade Strategy "
        "intersessionally, to reflect new trends.", implementation, "1.3"))
    outcomes.add_decision(event, outcomes.DecisionInput(
        "The meeting welcomed Chile's preliminary report on Strategic Trade Management and "
        "looked forward to the final report at the 16th meeting.", stm, "1.8"))
    outcomes.add_action(event, outcomes.ActionInput(
        "Present the final report on Strategic Trade Management at CTWG 16.", "economy",
        owner_economy="CHL", due_date=date(2020, 8, 1), agenda_item_id=stm, deliverable="1.8"))
    outcomes.add_action(event, outcomes.ActionInput(
        "Circulate the revised Counter-Terrorism and Secure Trade Strategy for comments.",
        "person", owner_name="CTWG Chair (demo)", due_date=date(2020, 6, 30),
        agenda_item_id=implementation, deliverable="1.3"))
    done = outcomes.add_action(event, outcomes.ActionInput(
        "Send economies the template for mid-term CTAP updates.", "secretariat",
        due_date=date(2020, 3, 2), agenda_item_id=implementation, deliverable="1.4"))
    outcomes.close_action(done, note="Sent on 28 February 2020 (demo).")
    outcomes.publish_summary(event, True)
