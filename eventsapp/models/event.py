"""Events of a work plan."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .agenda import AgendaItem, PublishedAgendaItem
    from .registration import Registration
    from .workplan import Deliverable, WorkPlan


# How people get a place (DESIGN.md, "Registration modes and accreditation").
OPEN = "open"  # anyone registers and is placed at once
APPROVAL = "approval"  # every registration starts pending; a focal point or organiser decides
INVITATION = "invitation"  # only invited addresses register, through their invitation
REGISTRATION_MODES = (OPEN, APPROVAL, INVITATION)
# What the public form offers unless organisers choose otherwise; the other categories
# (head of delegation, secretariat, speaker, media) are assigned by staff.
DEFAULT_PUBLIC_CATEGORIES = ("delegate", "observer")

# How people take part (issue 17). An in-person or online event has one capacity
# (`capacity`); a hybrid event has one per mode (`capacity_in_person`, `capacity_online`)
# and `capacity` is their sum (None when either has no limit), kept by the participation
# rules (participation/services.py), so every total shown stays true.
IN_PERSON = "in_person"
ONLINE = "online"
HYBRID = "hybrid"
PARTICIPATION_MODES = (IN_PERSON, ONLINE, HYBRID)
PARTICIPATIONS = (IN_PERSON, ONLINE)  # what one registration does


def _default_public_categories() -> list[str]:
    return list(DEFAULT_PUBLIC_CATEGORIES)


class Event(Base):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_plan_id: Mapped[int | None] = mapped_column(ForeignKey("work_plan.id"))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    short_title: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(20), default="meeting")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    description: Mapped[str] = mapped_column(Text, default="")
    theme: Mapped[str] = mapped_column(String(300), default="")
    lead_economy: Mapped[str | None] = mapped_column(String(5))
    co_sponsors: Mapped[str] = mapped_column(Text, default="")
    collaborating_fora: Mapped[str] = mapped_column(Text, default="")

    # Venue; empty means "to be confirmed".
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    venue_economy: Mapped[str | None] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")

    # Local calendar dates in the event's timezone. When only the month is
    # known, start_date/end_date stay NULL and tentative_month holds "YYYY-MM":
    # we never invent a day.
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    tentative_month: Mapped[str | None] = mapped_column(String(7))

    capacity: Mapped[int | None]  # None: no limit
    waitlist_enabled: Mapped[bool] = mapped_column(default=True)
    per_economy_limit: Mapped[int | None]  # heads of delegation are not counted
    registration_mode: Mapped[str] = mapped_column(String(20), default=OPEN)
    # 1: a focal point or organiser approves; 2: the focal point nominates, the
    # secretariat (an organiser) accredits.
    approval_steps: Mapped[int] = mapped_column(default=1)
    public_categories: Mapped[list[str]] = mapped_column(JSON,
                                                        default=_default_public_categories)
    # {category: most places held (confirmed or waitlisted)}; a category not named: no limit.
    category_limits: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # The last waiting-list number handed out (Registration.waitlist_seq); moved under the
    # event's lock, so the list keeps the order people joined it in, approvals included.
    waitlist_seq: Mapped[int] = mapped_column(default=0)
    # Registrations now confirmed and waiting: kept by triggers on registration
    # (models/counters.py), read under the event's lock instead of counting rows.
    confirmed_count: Mapped[int] = mapped_column(default=0, server_default="0")
    waitlisted_count: Mapped[int] = mapped_column(default=0, server_default="0")
    participation_mode: Mapped[str] = mapped_column(String(20), default=IN_PERSON,
                                                    server_default=IN_PERSON)
    capacity_in_person: Mapped[int | None]  # hybrid only; None: no limit
    capacity_online: Mapped[int | None]  # hybrid only; None: no limit
    # The meeting link and its passcode or dial-in text: shown only to confirmed online
    # participants (participation/services.py: online_link_for), never in public output.
    online_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    online_details: Mapped[str] = mapped_column(Text, default="", server_default="")
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Values the seed assumed because the source is silent; organisers confirm them.
    assumptions: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The agenda is a proposal whose times are not yet agreed.
    agenda_provisional: Mapped[bool] = mapped_column(default=False)
    agenda_release: Mapped[int] = mapped_column(default=0)
    agenda_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Retention (privacy/services.py: purge_expired): days after the event's last day when
    # registrations are anonymised; sensitive answers (dietary, accessibility, passport
    # data) go sooner.
    retention_days: Mapped[int] = mapped_column(default=180, server_default="180")
    sensitive_retention_days: Mapped[int] = mapped_column(default=30, server_default="30")

    # Bumped on every change visible to the public (event fields or published
    # agenda); feeds and caches key on it, so it must move on deletions too.
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    work_plan: Mapped[WorkPlan | None] = relationship(back_populates="events")
    deliverables: Mapped[list[Deliverable]] = relationship(back_populates="event")
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="event", order_by="AgendaItem.starts_at", cascade="all, delete-orphan"
    )
    published_items: Mapped[list[PublishedAgendaItem]] = relationship(
        back_populates="event",
        order_by="PublishedAgendaItem.starts_at",
        cascade="all, delete-orphan",
    )
    registrations: Mapped[list[Registration]] = relationship(
        back_populates="event", cascade="all, delete-orphan", lazy="write_only",
        passive_deletes=True,
    )

    @property
    def is_hybrid(self) -> bool:
        return self.participation_mode == HYBRID

    @property
    def dates_confirmed(self) -> bool:
        return self.start_date is not None

    @property
    def days(self) -> list[date]:
        """Local dates the event runs on (empty while dates are to be confirmed)."""
        if self.start_date is None:
            return []
        first, last = self.start_date.toordinal(), (self.end_date or self.start_date).toordinal()
        return [date.fromordinal(d) for d in range(first, last + 1)]

    def touch(self) -> None:
        """Mark a public change: feeds and caches see a new version."""
        self.version = (self.version or 0) + 1
        self.updated_at = utcnow()
