"""JSON shapes of the API: pure functions of models."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..events.services import Availability
from ..labels import date_label
from ..models import Event, Invitation, Registration
from ..reference import ECONOMIES


def iso(dt: datetime | None, tz: str | None = None) -> str | None:
    if dt is None:
        return None
    return (dt.astimezone(ZoneInfo(tz)) if tz else dt).isoformat()


def event_json(event: Event, avail: Availability, registration_open: bool, url: str) -> dict:
    tz = ZoneInfo(event.timezone)
    starts_at = ends_at = None
    if event.start_date:
        starts_at = datetime.combine(event.start_date, time(0), tz).isoformat()
        # Exclusive end: midnight after the last day, as calendars expect.
        last = event.end_date or event.start_date
        ends_at = datetime.combine(last + timedelta(days=1), time(0), tz).isoformat()
    return {
        "slug": event.slug,
        "title": event.title,
        "short_title": event.short_title,
        "kind": event.kind,
        "status": event.status,
        "url": url,
        "dates": date_label(event),
        "dates_confirmed": event.dates_confirmed,
        "tentative_month": event.tentative_month,
        "start_date": event.start_date.isoformat() if event.start_date else None,
        "end_date": (event.end_date or event.start_date).isoformat() if event.start_date else None,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "timezone": event.timezone,
        "venue": {
            "name": event.venue_name or None,
            "city": event.city or None,
            "economy": event.venue_economy,
            "economy_name": ECONOMIES.get(event.venue_economy or ""),
        },
        "theme": event.theme or None,
        "description": event.description,
        "lead_economy": event.lead_economy,
        "co_sponsors": event.co_sponsors or None,
        "collaborating_fora": event.collaborating_fora or None,
        "deliverables": [d.number for d in event.deliverables],
        "capacity": avail.capacity,
        "confirmed": avail.confirmed,
        "waitlisted": avail.waitlisted,
        "places_left": avail.places_left,
        "waitlist_enabled": event.waitlist_enabled,
        "per_economy_limit": event.per_economy_limit,
        "registration_mode": event.registration_mode,
        "approval_steps": event.approval_steps,
        "public_categories": list(event.public_categories or ()),
        "category_limits": dict(event.category_limits or {}),
        # Counts only: the online link is for confirmed online participants, never here.
        "participation_mode": event.participation_mode,
        "capacity_in_person": event.capacity_in_person,
        "capacity_online": event.capacity_online,
        "registration_open": registration_open,
        "registration_opens_at": iso(event.registration_opens_at),
        "registration_closes_at": iso(event.registration_closes_at),
        "updated_at": iso(event.updated_at),
    }


def staff_registration_json(reg: Registration, position: int | None) -> dict:
    """A registration as staff see it (no secrets: tokens are stored only as hashes)."""
    return {
        "id": reg.id,
        "status": reg.status,
        "category": reg.category,
        "economy": reg.economy,
        "waitlist_position": position,
        "honorific": reg.honorific,
        "given_name": reg.given_name,
        "family_name": reg.family_name,
        "email": reg.email,
        "organisation": reg.organisation,
        "job_title": reg.job_title,
        "sector": reg.sector,
        "nominated": reg.nominated_at is not None,
        "replaces_id": reg.replaces_id,
        "created_at": iso(reg.created_at),
        "approved_at": iso(reg.approved_at),
        "declined_at": iso(reg.declined_at),
        "decline_reason": reg.decline_reason or None,
        "cancelled_at": iso(reg.cancelled_at),
    }


def invitation_json(invitation: Invitation, tz: str | None = None) -> dict:
    return {
        "id": invitation.id,
        "email": invitation.email,
        "status": invitation.status,
        "category": invitation.category,
        "economy": invitation.economy,
        "expires_at": iso(invitation.expires_at, tz),
        "sent_at": iso(invitation.sent_at, tz),
        "reminders": invitation.reminders,
        "registration_id": invitation.registration_id,
    }


def agenda_item_json(item, tz: str) -> dict:
    return {
        "id": item.id,
        "title": item.title,
        "kind": item.kind,
        "starts_at": iso(item.starts_at, tz),
        "ends_at": iso(item.ends_at, tz),
        "room": item.room or None,
        "chairs": list(item.chairs),
        "speakers": list(item.speakers),
        "description": item.description,
        "status": item.status,
        "sequence": item.sequence,
        "updated_at": iso(item.updated_at),
    }
