"""What each feed depends on, read cheaply so that a 304 never loads an agenda.

A feed's `key` holds the ids and versions its bytes are built from. Events
bump `version` on every public change (agenda publications and deletions
included), so equal keys mean equal bytes, in every process.
"""

from __future__ import annotations

import calendar as gregorian
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..database import transactional
from ..extensions import db
from ..models import CONFIRMED, Event, PublishedAgendaItem, Registration, WorkPlan
from ..tokens import derive_feed_token, hash_token

PUBLIC_STATUSES = ("published", "cancelled")
# Dated events, and events with only a month (one tentative entry for the month).
IN_FEEDS = or_(Event.start_date.is_not(None), Event.tentative_month.is_not(None))
EPOCH = datetime.fromisoformat("2000-01-01T00:00:00+00:00")


@dataclass(frozen=True)
class FeedState:
    key: tuple
    last_modified: datetime


def programme_state(work_plan: WorkPlan) -> FeedState:
    rows = db.session.execute(
        select(Event.id, Event.version, Event.status, Event.start_date, Event.tentative_month,
               Event.updated_at)
        .where(Event.work_plan_id == work_plan.id).order_by(Event.id)
    ).all()
    shown = tuple((r.id, r.version) for r in rows
                  if r.status in PUBLIC_STATUSES and in_feeds(r))
    # Over every event, drafts included: unpublishing one must move Last-Modified forward too.
    last = max((r.updated_at for r in rows), default=EPOCH)
    plan = (work_plan.id, work_plan.group_abbr, work_plan.year, work_plan.title)
    return FeedState(key=("programme", plan, shown), last_modified=last)


def programme_events(work_plan: WorkPlan, *, with_agenda: bool) -> list[Event]:
    stmt = (select(Event).where(Event.work_plan_id == work_plan.id,
                                Event.status.in_(PUBLIC_STATUSES), IN_FEEDS)
            .order_by(Event.id))
    if with_agenda:
        stmt = stmt.options(selectinload(Event.published_items))
    return sorted(db.session.scalars(stmt), key=feed_order)


def feed_order(event: Event) -> tuple:
    """By first day (a month: its first day), then id; the same on every database (they
    sort NULL differently)."""
    return (event.start_date or month_span(event.tentative_month)[0], event.id)


def in_feeds(event: Event) -> bool:
    """Events with days, and events with only a month (a tentative entry for the month)."""
    return event.start_date is not None or bool(event.tentative_month)


def month_span(month: str) -> tuple[date, date]:
    """'2026-08' → (1 August 2026, 1 September 2026): an all-day span, end exclusive."""
    year, number = map(int, month.split("-"))
    first = date(year, number, 1)
    return first, first + timedelta(days=gregorian.monthrange(year, number)[1])


def event_state(event: Event) -> FeedState:
    return FeedState(key=("event", event.id, event.version, in_feeds(event)),
                     last_modified=event.updated_at)


def public_event_state(slug: str) -> tuple[int, FeedState] | None:
    """The event feed's state from five columns: the polled path loads no entity."""
    row = db.session.execute(
        select(Event.id, Event.version, Event.start_date, Event.tentative_month,
               Event.updated_at)
        .where(Event.slug == slug, Event.status.in_(PUBLIC_STATUSES))
    ).first()
    if row is None:
        return None
    key = ("event", row.id, row.version, in_feeds(row))
    return row.id, FeedState(key=key, last_modified=row.updated_at)


def event_with_agenda(event_id: int) -> Event:
    return db.session.scalars(select(Event).where(Event.id == event_id)
                              .options(selectinload(Event.published_items))).one()


def published_item(event: Event, item_id: int) -> PublishedAgendaItem | None:
    return db.session.scalar(select(PublishedAgendaItem).where(
        PublishedAgendaItem.id == item_id, PublishedAgendaItem.event_id == event.id))


def _confirmed_events_stmt(registration: Registration):
    # Only this registration's own event: addresses are not verified (anyone may register
    # with someone else's), so joining on the email would reveal where another person goes.
    return (select(Event).join(Registration, Registration.event_id == Event.id)
            .where(Registration.id == registration.id,
                   Registration.status == CONFIRMED, Event.status.in_(PUBLIC_STATUSES)))


def personal_state(registration: Registration) -> FeedState:
    rows = db.session.execute(
        _confirmed_events_stmt(registration).with_only_columns(
            Event.id, Event.version, Event.start_date, Event.tentative_month, Event.updated_at
        ).order_by(Event.id)
    ).all()
    # A cancelled registration drops its event: its own updated_at keeps Last-Modified moving.
    last = max([r.updated_at for r in rows] + [registration.updated_at or EPOCH])
    shown = tuple((r.id, r.version) for r in rows if in_feeds(r))
    return FeedState(key=("personal", shown), last_modified=last)


def personal_events(registration: Registration) -> list[Event]:
    stmt = (_confirmed_events_stmt(registration).where(IN_FEEDS)
            .options(selectinload(Event.published_items)).order_by(Event.id))
    return sorted(db.session.scalars(stmt), key=feed_order)


@transactional
def reset_feed_token(registration: Registration, management_token: str) -> None:
    """Give the registration a new personal feed URL; the old one answers 404 from now on."""
    registration.feed_token_version += 1
    registration.feed_token_hash = hash_token(
        derive_feed_token(management_token, registration.feed_token_version))
    db.session.flush()

