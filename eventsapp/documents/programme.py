"""The annotated agenda and the List of Documents, as plain data for the renderers.

Agenda item numbers ("2.3"): the day of the event, then the item's place among that day's
numbered items. Breaks, meals and cancelled items take no number, so the numbers of the
others do not move when a break is added. Every page, PDF and the Chair's Summary use
these same numbers (`agenda_numbers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..labels import agenda_by_day, date_label, local, utc_offset_label, venue_label
from ..models import Document, Event
from ..reference import ECONOMIES
from .access import Viewer
from .services import (
    ACCESS_LABELS,
    LANGUAGES,
    by_agenda_item,
    event_documents,
    is_late,
    revision_of,
    settings_for,
    submitter_label,
)

UNNUMBERED_KINDS = ("break", "meal")


def agenda_numbers(event: Event) -> dict[int, str]:
    """{published item id: "d.n"} for the event's published agenda."""
    numbers: dict[int, str] = {}
    days = agenda_by_day(event.published_items, event.timezone)
    for ordinal, (day, items) in enumerate(days.items(), start=1):
        d = ((day - event.start_date).days + 1
             if event.start_date is not None and day >= event.start_date else ordinal)
        n = 0
        for item in items:
            if item.kind in UNNUMBERED_KINDS or item.is_cancelled:
                continue
            n += 1
            numbers[item.id] = f"{d}.{n}"
    return numbers


@dataclass(frozen=True)
class DocRef:
    id: int
    number: str
    revision: str  # "" or "rev1"
    title: str
    access: str


@dataclass(frozen=True)
class ProgrammeItem:
    id: int
    number: str | None
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    room: str
    chairs: tuple[str, ...]
    speakers: tuple[str, ...]
    description: str
    cancelled: bool
    documents: tuple[DocRef, ...]


@dataclass(frozen=True)
class ProgrammeDay:
    day: date
    utc_offset: str  # "UTC+08:00", on that day
    items: tuple[ProgrammeItem, ...]


@dataclass(frozen=True)
class Programme:
    slug: str
    title: str
    group_name: str
    dates: str
    venue: str
    timezone: str
    provisional: bool
    release: int
    days: tuple[ProgrammeDay, ...]


def doc_ref(d: Document) -> DocRef:
    return DocRef(d.id, d.number, d.revision_label, d.title, d.access)


def programme(event: Event, viewer: Viewer) -> Programme:
    """The published agenda with numbers, people and the documents `viewer` may open."""
    numbers = agenda_numbers(event)
    docs = by_agenda_item(event_documents(event, viewer))
    days = []
    for day, items in agenda_by_day(event.published_items, event.timezone).items():
        days.append(ProgrammeDay(
            day=day, utc_offset=utc_offset_label(event.timezone, items[0].starts_at),
            items=tuple(ProgrammeItem(
                id=i.id, number=numbers.get(i.id), title=i.title, kind=i.kind,
                starts_at=i.starts_at, ends_at=i.ends_at, room=i.room,
                chairs=tuple(i.chairs), speakers=tuple(i.speakers),
                description=i.description, cancelled=i.is_cancelled,
                documents=tuple(doc_ref(d) for d in docs.get(i.id, ())))
                for i in items)))
    return Programme(
        slug=event.slug, title=event.title,
        group_name=event.work_plan.group_name if event.work_plan else "",
        dates=date_label(event), venue=venue_label(event), timezone=event.timezone,
        provisional=event.agenda_provisional, release=event.agenda_release, days=tuple(days))


@dataclass(frozen=True)
class DocumentRow:
    id: int
    number: str
    revision: str
    title: str
    submitted_by: str
    economy: str | None
    language: str
    access: str
    agenda_item: str  # "2.1 Title" or ""
    agenda_item_id: int | None
    deliverable: str  # "1.8" or ""
    kind: str
    size: int
    submitted_at: datetime | None  # of the current revision, UTC
    submitted_local: str  # at the venue, "2020-02-03 17:00"
    late: bool
    revisions: int

    @property
    def language_label(self) -> str:
        return LANGUAGES.get(self.language, self.language)

    @property
    def access_label(self) -> str:
        return ACCESS_LABELS.get(self.access, self.access)


@dataclass(frozen=True)
class DocumentList:
    slug: str
    title: str
    group_name: str
    dates: str
    venue: str
    deadline: datetime | None
    deadline_local: str
    rows: tuple[DocumentRow, ...]


def document_list(event: Event, viewer: Viewer | None) -> DocumentList:
    """The List of Documents in number order: what `viewer` may open (None: everything)."""
    settings = settings_for(event)
    numbers = agenda_numbers(event)
    titles = {i.id: i.title for i in event.published_items}
    titles.update({i.id: i.title for i in event.agenda_items if i.id not in titles})
    rows = []
    for d in event_documents(event, viewer):
        current = revision_of(d)
        first = revision_of(d, 0)
        item = ""
        if d.agenda_item_id is not None:
            item = " ".join(x for x in (numbers.get(d.agenda_item_id, ""),
                                        titles.get(d.agenda_item_id, "")) if x)
        rows.append(DocumentRow(
            id=d.id, number=d.number, revision=d.revision_label, title=d.title,
            submitted_by=submitter_label(d), economy=d.economy, language=d.language,
            access=d.access, agenda_item=item, agenda_item_id=d.agenda_item_id,
            deliverable=d.deliverable.number if d.deliverable else "",
            kind=current.kind if current else "", size=current.size if current else 0,
            submitted_at=current.submitted_at if current else None,
            submitted_local=_local(current.submitted_at, event.timezone) if current else "",
            late=bool(first and is_late(first, settings.deadline)),
            revisions=len(d.revisions)))
    return DocumentList(
        slug=event.slug, title=event.title,
        group_name=event.work_plan.group_name if event.work_plan else "",
        dates=date_label(event), venue=venue_label(event), deadline=settings.deadline,
        deadline_local=_local(settings.deadline, event.timezone) if settings.deadline else "",
        rows=tuple(rows))


def _local(dt: datetime, tz: str) -> str:
    return local(dt, tz).strftime("%Y-%m-%d %H:%M")


def economy_label(code: str | None) -> str:
    return ECONOMIES.get(code or "", "")
