"""Organisers' reads: the registrations list (filters, status tabs, sorting, pages), the
selection a bulk action applies to, and an event's overview figures.

Reads only: the changes a bulk action makes are the registration rules'
(`registration/services.py: cancel_registrations, promote_registrations`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, case, exists, func, or_, select

from ..agenda.services import unpublished_changes
from ..events.services import registration_state
from ..extensions import db
from ..models import (
    CANCELLED,
    CONFIRMED,
    DECLINED,
    PENDING,
    WAITLISTED,
    AgendaItem,
    AuditEntry,
    CheckIn,
    Event,
    Registration,
    User,
)
from ..questions.services import answer_filter
from ..reference import CATEGORIES, ECONOMY_ORDER
from ..registration.services import WAITLIST_ORDER
from ..textnorm import escape_like, search_fold

MAX_ROWS = 5_000  # the most one CSV export or one bulk action takes
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
STATUSES = (PENDING, CONFIRMED, WAITLISTED, DECLINED, CANCELLED)

_checked_in = exists().where(CheckIn.registration_id == Registration.id)
_status_order = case({CONFIRMED: 0, WAITLISTED: 1, CANCELLED: 2}, value=Registration.status,
                     else_=3)
# APEC's order of economies (reference.py), people without one last.
_economy_order = case(ECONOMY_ORDER, value=Registration.economy, else_=len(ECONOMY_ORDER))
_category_order = case({c: i for i, c in enumerate(CATEGORIES)}, value=Registration.category,
                       else_=len(CATEGORIES))

# Column name in the URL → what it sorts by; anything else in `sort=` is refused by the form.
SORTS = {
    "name": (func.lower(Registration.family_name), func.lower(Registration.given_name)),
    "email": (Registration.email_normalized,),
    "economy": (_economy_order,),
    "organisation": (func.lower(Registration.organisation),),
    "category": (_category_order,),
    "status": (_status_order,),
    "checkin": (),  # by whether the person checked in at all: a join, see _ordered
    "registered": (Registration.id,),  # ids grow with arrival (registration/services.py)
}
DEFAULT_SORT = "registered"


@dataclass(frozen=True)
class RegistrationQuery:
    """What the organiser asked the list for; every value already checked by the form."""

    q: str = ""
    status: str = ""  # "" for every status
    economy: str = ""
    category: str = ""
    checked_in: str = ""  # "", "yes", "no"
    question: int | None = None  # answered this question (issue 17) ...
    answer: str = ""  # ... with this answer (among them, for multiple choice), if given
    participation: str = ""  # "", "in_person", "online"
    sort: str = DEFAULT_SORT
    descending: bool = False
    page: int = 1
    per_page: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class RegistrationPage:
    rows: list[Registration]
    total: int  # matching in the chosen status tab
    counts: dict[str, int]  # status ("" for all) → matching, with every other filter applied
    page: int  # 1-based, within 1..pages
    pages: int
    per_page: int
    checkins: dict[int, list[date]]  # registration id → local days checked in (this page)

    @property
    def first(self) -> int:
        """1-based number of the first row shown (0 when none)."""
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def _filtered(event: Event, query: RegistrationQuery, *, with_status: bool = True) -> Select:
    """Registrations of `event` matching the query (the status too unless `with_status`)."""
    stmt = select(Registration).where(Registration.event_id == event.id)
    if with_status and query.status:
        stmt = stmt.where(Registration.status == query.status)
    if query.economy:
        stmt = stmt.where(Registration.economy == query.economy)
    if query.category:
        stmt = stmt.where(Registration.category == query.category)
    if query.participation:
        stmt = stmt.where(Registration.participation == query.participation)
    if query.checked_in == "yes":
        stmt = stmt.where(_checked_in)
    elif query.checked_in == "no":
        stmt = stmt.where(~_checked_in)
    if query.question is not None:
        stmt = stmt.where(answer_filter(query.question, query.answer))
    # Names by their folded key (case and accents ignored in any script, textnorm), the
    # address and organisation by lower case; LIKE wildcards typed are matched literally.
    # Control characters match nothing (and PostgreSQL refuses NUL outright).
    q = "".join(ch for ch in query.q if unicodedata.category(ch) != "Cc")
    for word in q.split()[:5]:
        folded = escape_like(search_fold(word).strip())
        lowered = escape_like(word.lower())
        matches = [Registration.email_normalized.like(f"%{lowered}%", escape="\\"),
                   func.lower(Registration.organisation).like(f"%{lowered}%", escape="\\")]
        if folded:
            matches.append(Registration.search_key.like(f"%{folded}%", escape="\\"))
        stmt = stmt.where(or_(*matches))
    return stmt


def _ordered(stmt: Select, query: RegistrationQuery, event: Event) -> Select:
    keys = SORTS.get(query.sort, SORTS[DEFAULT_SORT])
    if query.sort == "checkin":
        # A join to who attended, not EXISTS per row in ORDER BY: PostgreSQL runs the
        # latter as a subplan for every registration (600 ms for 5,000; 15 ms this way).
        attended = (select(CheckIn.registration_id.label("rid")).distinct()
                    .join(Registration, Registration.id == CheckIn.registration_id)
                    .where(Registration.event_id == event.id).subquery())
        stmt = stmt.outerjoin(attended, attended.c.rid == Registration.id)
        keys = (attended.c.rid.is_not(None),)
    if query.descending:
        return stmt.order_by(*(k.desc() for k in keys), Registration.id.desc())
    # The id breaks ties, so pages never overlap or skip a row.
    return stmt.order_by(*(k.asc() for k in keys), Registration.id.asc())


def status_counts(event: Event, query: RegistrationQuery) -> dict[str, int]:
    """Matching registrations per status tab, in one query; "" is every status."""
    sub = _filtered(event, query, with_status=False).with_only_columns(
        Registration.status).subquery()
    rows = dict(db.session.execute(
        select(sub.c.status, func.count()).group_by(sub.c.status)).all())
    counts = {s: rows.get(s, 0) for s in STATUSES}
    return {"": sum(rows.values()), **counts}


def list_registrations(event: Event, query: RegistrationQuery) -> RegistrationPage:
    """One page of the registrations list, with the tab counts and the page's check-ins.

    A page past the last shows the last one. Cost: three queries whatever the event's size
    (counts, the page's rows, the page's check-ins); the database sorts and counts.
    """
    counts = status_counts(event, query)
    total = counts.get(query.status, 0)
    pages = max(1, -(-total // query.per_page))
    page = min(max(query.page, 1), pages)
    rows = list(db.session.scalars(
        _ordered(_filtered(event, query), query, event)
        .limit(query.per_page).offset((page - 1) * query.per_page)))
    checkins: dict[int, list[date]] = {}
    if rows:
        for reg_id, day in db.session.execute(
                select(CheckIn.registration_id, CheckIn.day)
                .where(CheckIn.registration_id.in_([r.id for r in rows]))
                .order_by(CheckIn.day)):
            checkins.setdefault(reg_id, []).append(day)
    return RegistrationPage(rows, total, counts, page, pages, query.per_page, checkins)


def search_registrations(event: Event, query: RegistrationQuery | None = None, *,
                         q: str = "", status: str = "", economy: str = "",
                         category: str = "") -> list[Registration]:
    """Every registration matching the query (at most MAX_ROWS), in the list's order."""
    query = query or RegistrationQuery(q=q, status=status, economy=economy, category=category)
    return list(db.session.scalars(_ordered(_filtered(event, query), query, event).limit(MAX_ROWS)))


def matching_ids(event: Event, query: RegistrationQuery, limit: int = MAX_ROWS) -> list[int]:
    """Ids of the registrations the query matches ("select all matching"), at most `limit`,
    in the list's order."""
    stmt = _ordered(_filtered(event, query), query, event).with_only_columns(Registration.id)
    return list(db.session.scalars(stmt.limit(limit)))


def selected_registrations(event: Event, ids: list[int]) -> list[Registration]:
    """The registrations of `event` among `ids` (others' ids are ignored), in arrival order."""
    wanted = sorted(set(ids))[:MAX_ROWS]
    if not wanted:
        return []
    found: list[Registration] = []
    for i in range(0, len(wanted), 900):  # well under SQLite's bound-parameter limit
        found.extend(db.session.scalars(select(Registration).where(
            Registration.event_id == event.id, Registration.id.in_(wanted[i:i + 900]))))
    return sorted(found, key=lambda r: r.id)


def waitlist_positions(event: Event) -> dict[int, int]:
    """Registration id → place in the waiting list (1 is next), in one query."""
    ids = db.session.scalars(
        select(Registration.id).where(Registration.event_id == event.id,
                                      Registration.status == WAITLISTED)
        .order_by(*WAITLIST_ORDER))
    return {reg_id: n for n, reg_id in enumerate(ids, start=1)}


# --- the event's overview ---------------------------------------------------------------------


@dataclass(frozen=True)
class EventOverview:
    confirmed: int
    waitlisted: int
    cancelled: int
    capacity: int | None
    checked_in: int  # confirmed registrations checked in on at least one day
    badges_printed: int  # confirmed registrations whose badge was printed
    agenda_items: int
    unpublished: int  # draft items that differ from the public agenda
    registration_open: bool
    registration_reason: str  # why not, when closed


def event_overview(event: Event) -> EventOverview:
    """The figures of an event's overview page, in four queries."""
    by_status = dict(db.session.execute(
        select(Registration.status, func.count()).where(Registration.event_id == event.id)
        .group_by(Registration.status)).all())
    confirmed_rows = select(Registration.id).where(Registration.event_id == event.id,
                                                   Registration.status == CONFIRMED)
    checked_in = db.session.scalar(
        select(func.count(func.distinct(CheckIn.registration_id)))
        .where(CheckIn.registration_id.in_(confirmed_rows))) or 0
    printed = db.session.scalar(
        select(func.count()).select_from(Registration)
        .where(Registration.event_id == event.id, Registration.status == CONFIRMED,
               Registration.badge_printed_at.is_not(None))) or 0
    items = db.session.scalar(select(func.count()).select_from(AgendaItem)
                              .where(AgendaItem.event_id == event.id)) or 0
    is_open, reason = registration_state(event)
    return EventOverview(
        confirmed=by_status.get(CONFIRMED, 0), waitlisted=by_status.get(WAITLISTED, 0),
        cancelled=by_status.get(CANCELLED, 0), capacity=event.capacity, checked_in=checked_in,
        badges_printed=printed, agenda_items=items, unpublished=unpublished_changes(event),
        registration_open=is_open, registration_reason=reason)


# --- the audit log ----------------------------------------------------------------------------

AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]  # newest first
    subjects: dict[int, str]  # entry id → the name of what it is about, as it is now
    registrations: dict[int, tuple[int, str]]  # entry id → (registration id, event slug)
    page: int
    pages: int
    total: int


def audit_page(*, event_id: int | None = None, user_id: int | None = None, action: str = "",
               registration_id: int | None = None, page: int = 1,
               per_page: int = AUDIT_PAGE_SIZE) -> AuditPage:
    """One page of the audit log, filtered, with the names its entries are about.

    Names are read as they are now, one query per kind of object on the page (a
    registration's person, an account's address, an event's title); an object deleted
    since has no name and the entry says what it recorded.
    """
    stmt = select(AuditEntry)
    if event_id is not None:
        stmt = stmt.where(AuditEntry.event_id == event_id)
    if user_id is not None:
        stmt = stmt.where(AuditEntry.user_id == user_id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if registration_id is not None:
        stmt = stmt.where(AuditEntry.object_type == "Registration",
                          AuditEntry.object_id == registration_id)
    total = db.session.scalar(stmt.with_only_columns(func.count()).select_from(AuditEntry)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    entries = list(db.session.scalars(
        stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(per_page).offset((page - 1) * per_page)))
    ids_of: dict[str, set[int]] = {}
    for e in entries:
        if e.object_id is not None:
            ids_of.setdefault(e.object_type, set()).add(e.object_id)
    names: dict[tuple[str, int], str] = {}
    reg_events: dict[int, str] = {}
    if ids_of.get("Registration"):
        for rid, given, family, slug in db.session.execute(
                select(Registration.id, Registration.given_name, Registration.family_name,
                       Event.slug).join(Event, Event.id == Registration.event_id)
                .where(Registration.id.in_(ids_of["Registration"]))):
            names[("Registration", rid)] = f"{given} {family}"
            reg_events[rid] = slug
    if ids_of.get("User"):
        for uid, email in db.session.execute(
                select(User.id, User.email).where(User.id.in_(ids_of["User"]))):
            names[("User", uid)] = email
    if ids_of.get("Event"):
        for eid, title in db.session.execute(
                select(Event.id, Event.title).where(Event.id.in_(ids_of["Event"]))):
            names[("Event", eid)] = title
    if ids_of.get("AgendaItem"):
        for iid, title in db.session.execute(
                select(AgendaItem.id, AgendaItem.title)
                .where(AgendaItem.id.in_(ids_of["AgendaItem"]))):
            names[("AgendaItem", iid)] = title
    subjects = {e.id: names[(e.object_type, e.object_id)] for e in entries
                if (e.object_type, e.object_id) in names}
    registrations = {e.id: (e.object_id, reg_events[e.object_id]) for e in entries
                     if e.object_type == "Registration" and e.object_id in reg_events}
    return AuditPage(entries, subjects, registrations, page, pages, total)
