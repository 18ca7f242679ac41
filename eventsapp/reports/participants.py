"""The official List of Participants: confirmed registrations in protocol order.

Economies come in APEC's order (reference.ECONOMIES); within one, the head of
delegation first, then everyone else by family name. Registrations without an
economy follow, grouped by organisation (UNOCT, UNODC, ICAO, ...). Names are written
as protocol does (`labels.protocol_name`: "H.E. Ms Olivia HARTLEY"), and the position
comes before the organisation.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..labels import protocol_name
from ..models import CONFIRMED, Event, Registration
from ..reference import CATEGORIES, ECONOMIES, ECONOMY_ORDER, SECTORS
from .queries import HEAD, organisation_label, sort_key


@dataclass(frozen=True)
class Participant:
    registration_id: int
    name: str  # protocol form: honorific, then the badge name or given + FAMILY
    native_name: str
    job_title: str
    organisation: str
    economy: str | None
    category: str
    sector: str
    email: str  # empty in the public list
    consent_to_list: bool
    participation: str = "in_person"  # or "online" (how they take part in a hybrid event)

    @property
    def is_head(self) -> bool:
        return self.category == HEAD

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, self.category)

    @property
    def sector_label(self) -> str:
        return SECTORS.get(self.sector, self.sector)

    @property
    def economy_name(self) -> str:
        return ECONOMIES.get(self.economy or "", "")


@dataclass(frozen=True)
class ParticipantGroup:
    heading: str
    economy: str | None  # None for an organisation's group
    participants: tuple[Participant, ...]


@dataclass(frozen=True)
class ParticipantList:
    title: str
    public: bool
    economies: tuple[ParticipantGroup, ...]
    organisations: tuple[ParticipantGroup, ...]

    @property
    def groups(self) -> tuple[ParticipantGroup, ...]:
        return self.economies + self.organisations

    @property
    def count(self) -> int:
        return sum(len(g.participants) for g in self.groups)


def list_of_participants(event: Event, *, public: bool = False) -> ParticipantList:
    """Confirmed registrations grouped for the List; `public` keeps consenting people, no emails."""
    stmt = select(Registration).where(Registration.event_id == event.id,
                                      Registration.status == CONFIRMED)
    # Once anonymised, a person stays on the List only with their consent (privacy/services.py).
    stmt = stmt.where(Registration.anonymised_at.is_(None)
                      | Registration.consent_to_list.is_(True))
    if public:
        stmt = stmt.where(Registration.consent_to_list.is_(True))
    regs = list(db.session.scalars(stmt))
    by_economy: dict[str, list[Registration]] = {}
    by_org: dict[str, list[Registration]] = {}
    for r in regs:
        if r.economy in ECONOMY_ORDER:
            by_economy.setdefault(r.economy, []).append(r)
        else:
            # An unknown code is shown with the organisations rather than dropped.
            by_org.setdefault(organisation_label(r.organisation), []).append(r)
    economies = tuple(
        ParticipantGroup(ECONOMIES[code], code, _ordered(by_economy[code], public))
        for code in sorted(by_economy, key=ECONOMY_ORDER.__getitem__)
    )
    organisations = tuple(
        ParticipantGroup(name, None, _ordered(by_org[name], public))
        for name in sorted(by_org, key=sort_key)
    )
    return ParticipantList(event.title, public, economies, organisations)


def _ordered(regs: list[Registration], public: bool) -> tuple[Participant, ...]:
    regs = sorted(regs, key=lambda r: (r.category != HEAD, sort_key(r.family_name),
                                       sort_key(r.given_name), r.id))
    return tuple(
        Participant(
            registration_id=r.id, native_name=r.native_name,
            name=protocol_name(r.honorific, r.given_name, r.family_name, r.badge_name),
            job_title=r.job_title, organisation=r.organisation, economy=r.economy,
            category=r.category, sector=r.sector, email="" if public else r.email,
            consent_to_list=r.consent_to_list, participation=r.participation,
        )
        for r in regs
    )
