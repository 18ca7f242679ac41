"""Agenda rules: publishing the organisers' draft and recording what changed."""

from __future__ import annotations

from ..extensions import db
from ..models import AgendaChange, AgendaItem, Event, PublishedAgendaItem, utcnow

COPIED_FIELDS = (
    "title", "kind", "starts_at", "ends_at", "room", "chairs", "speakers", "description",
    "status", "sequence", "created_at", "updated_at",
)


def publish_agenda(event: Event) -> list[AgendaChange]:
    """Copy the draft agenda to the public one and log the differences; flushes only."""
    published = {p.id: p for p in event.published_items}
    release = event.agenda_release + 1
    now = utcnow()
    changes: list[AgendaChange] = []
    for item in event.agenda_items:
        pub = published.pop(item.id, None)
        change = _describe_change(item, pub)
        if change is None:
            continue
        if pub is None:
            pub = PublishedAgendaItem(id=item.id, event=event)
            db.session.add(pub)
        for field in COPIED_FIELDS:
            setattr(pub, field, getattr(item, field))
        pub.published_at = now
        changes.append(
            AgendaChange(event_id=event.id, release=release, item_id=item.id, change=change[0],
                         summary=change[1], at=now)
        )
    # Items deleted from the draft stay public as cancelled so calendars drop them.
    for pub in published.values():
        if pub.status != "cancelled":
            pub.status = "cancelled"
            pub.sequence += 1
            pub.updated_at = now
            pub.published_at = now
            changes.append(AgendaChange(event_id=event.id, release=release, item_id=pub.id,
                                        change="cancelled", summary=f"Cancelled: {pub.title}",
                                        at=now))
    if release == 1:
        # A first publication is one fact, not a list of additions.
        changes = [AgendaChange(event_id=event.id, release=1, item_id=None, change="published",
                                summary="Agenda published", at=now)]
    db.session.add_all(changes)
    event.agenda_release = release
    event.agenda_published_at = now
    event.touch()
    db.session.flush()
    return changes


def _describe_change(item: AgendaItem, pub: PublishedAgendaItem | None) -> tuple[str, str] | None:
    if pub is None:
        return "added", f"Added: {item.title}"
    if item.sequence == pub.sequence and item.updated_at == pub.updated_at:
        return None
    if item.status == "cancelled" and pub.status != "cancelled":
        return "cancelled", f"Cancelled: {item.title}"
    if item.status != "cancelled" and pub.status == "cancelled":
        return "restored", f"Restored: {item.title}"
    if (item.starts_at, item.ends_at) != (pub.starts_at, pub.ends_at):
        return "moved", f"Moved: {item.title}"
    if item.room != pub.room:
        return "moved", f"Room changed: {item.title}"
    return "changed", f"Details changed: {item.title}"
