"""Participation rules: the event's mode and per-mode capacities, a registrant's switch
between modes, and who may see the online link.

An event is `in_person`, `online` or `hybrid` (`Event.participation_mode`). In a
single-mode event every registration takes that mode and `Event.capacity` is the one cap.
In a hybrid event each registration is `in_person` or `online`; each mode is a pool with
its own capacity (`capacity_in_person`, `capacity_online`, None: no limit) and its own
waiting list (the event's one `waitlist_seq` numbering, filtered by mode), and
`Event.capacity` is kept as the sum of the two (None if either has no limit), so totals
shown elsewhere stay true. The pools are counted under the event's lock
(`registration.services.pool_counts`); placing and promoting is `take_places` and
`fill_free_places`, the same rule as registering.

The online link (`Event.online_url`, `online_details`) is shown only to a confirmed
registration that takes part online (`online_link_for`): on its private page, in its
personal feed and in its confirmation's calendar file; never in public output.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select

from .. import audit
from ..accreditation.services import edit_event_and_settings
from ..database import lock_event, transactional
from ..events.editing import EventError
from ..extensions import db
from ..inputs import check_text
from ..models import (
    ACTIVE_STATUSES,
    CONFIRMED,
    HYBRID,
    IN_PERSON,
    ONLINE,
    PARTICIPATION_MODES,
    PARTICIPATIONS,
    PENDING,
    WAITLISTED,
    Event,
    Registration,
    User,
    utcnow,
)
from ..registration.errors import AlreadyCancelled, CapacityError, ParticipationFull
from ..registration.services import (
    fill_free_places,
    locked,
    pool_capacity,
    pool_counts,
    pool_modes,
    writer,
)
from ..textnorm import normalize_text

MODE_LABELS = {IN_PERSON: "In person", ONLINE: "Online", HYBRID: "Hybrid"}
MAX_CAPACITY = 100_000
MAX_URL = 500
MAX_DETAILS = 1_000


@dataclass
class ParticipationSettings:
    """What organisers set (the Participation page; `PATCH /api/v1/events/<slug>`)."""

    participation_mode: str = IN_PERSON
    capacity_in_person: int | None = None
    capacity_online: int | None = None
    online_url: str = ""
    online_details: str = ""

    @classmethod
    def of(cls, event: Event) -> ParticipationSettings:
        return cls(event.participation_mode, event.capacity_in_person, event.capacity_online,
                   event.online_url or "", event.online_details or "")


@dataclass(frozen=True)
class OnlineLink:
    url: str
    details: str  # passcode, dial-in numbers: free text, may be empty


@dataclass(frozen=True)
class ModePlaces:
    mode: str
    capacity: int | None
    confirmed: int
    waitlisted: int

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.confirmed, 0)

    @property
    def label(self) -> str:
        return MODE_LABELS[self.mode]


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_CAPACITY


def clean_settings(settings: ParticipationSettings) -> ParticipationSettings:
    """The settings with text normalised.

    :raises EventError: per field: an unknown mode, a capacity that is not a whole number
        from 0 to 100,000 (or none), a link that is not an absolute http(s) URL of at most
        500 characters, details with control characters or over 1,000 characters.
    """
    errors: dict[str, list[str]] = {}
    if settings.participation_mode not in PARTICIPATION_MODES:
        errors["participation_mode"] = ["Choose in_person, online or hybrid."]
    for name in ("capacity_in_person", "capacity_online"):
        value = getattr(settings, name)
        if value is not None and not _whole(value):
            errors[name] = [f"A whole number from 0 to {MAX_CAPACITY:,}, or no limit."]
    url, details = settings.online_url, settings.online_details
    if not isinstance(url, str):
        errors["online_url"] = ["The online link must be text."]
        url = ""
    url = normalize_text(url)
    if url:
        parts = urlsplit(url)
        try:
            check_text(url, "The online link")
        except ValueError as exc:
            errors["online_url"] = [str(exc)]
        else:
            if parts.scheme != "https" or not parts.netloc or " " in url:
                errors["online_url"] = ["Give the full meeting link, starting with https://."]
            elif len(url) > MAX_URL:
                errors["online_url"] = [f"Keep the link under {MAX_URL} characters."]
    if not isinstance(details, str):
        errors["online_details"] = ["The passcode and dial-in text must be text."]
        details = ""
    details = normalize_text(details)
    try:
        check_text(details, "Passcode and dial-in", multiline=True)
    except ValueError as exc:
        errors["online_details"] = [str(exc)]
    if len(details) > MAX_DETAILS:
        errors["online_details"] = [f"Keep it under {MAX_DETAILS:,} characters."]
    if errors:
        raise EventError(errors)
    return ParticipationSettings(settings.participation_mode, settings.capacity_in_person,
                                 settings.capacity_online, url, details)


@transactional
def update_participation(event: Event, settings: ParticipationSettings, *,
                         user: User | None) -> tuple[list[str], list[Registration]]:
    """Save how people take part; returns (names of the changed settings, those promoted).

    Under the event's lock, like a change of capacity:
    - into hybrid: each mode's capacity must hold the people confirmed in it (nobody is
      demoted); `Event.capacity` becomes the sum (None if either has no limit);
    - out of hybrid: every registration takes the event's one mode, and the capacity stays
      the sum it was (at least everyone confirmed);
    then the waiting lists are served into any places that opened.

    :raises EventError: bad values (`clean_settings`).
    :raises CapacityError: a mode's capacity below the people confirmed in it.
    """
    settings = clean_settings(settings)
    ev = lock_event(event.id)
    old = ParticipationSettings.of(ev)
    if settings.participation_mode != HYBRID:
        # Only a hybrid event has per-mode capacities: keep them as they were, unused.
        settings.capacity_in_person = old.capacity_in_person
        settings.capacity_online = old.capacity_online
    changed = {name: [getattr(old, name), getattr(settings, name)]
               for name in ("participation_mode", "capacity_in_person", "capacity_online",
                            "online_url", "online_details")
               if getattr(old, name) != getattr(settings, name)}
    if not changed:
        return [], []
    new_mode = settings.participation_mode
    if new_mode == HYBRID:
        confirmed = {m: c for m, (c, _w) in _counts_by_participation(ev).items()}
        for mode, cap in ((IN_PERSON, settings.capacity_in_person),
                          (ONLINE, settings.capacity_online)):
            have = confirmed.get(mode, 0)
            if cap is not None and cap < have:
                where = MODE_LABELS[mode].lower()
                raise CapacityError(
                    f"{have} {'person is' if have == 1 else 'people are'} confirmed {where}, "
                    f"so the {where} capacity cannot be lower than {have}. Cancel "
                    "registrations or move people to the other mode first.")
    else:
        if old.participation_mode == HYBRID:
            _check_nobody_chose_the_other_mode(ev, new_mode)
        # Every registration takes the event's one mode (a single-mode event fixes it).
        db.session.execute(
            Registration.__table__.update()
            .where(Registration.__table__.c.event_id == ev.id,
                   Registration.__table__.c.participation != new_mode)
            .values(participation=new_mode))
    for name, (_old, new) in changed.items():
        setattr(ev, name, new)
    if new_mode == HYBRID:
        caps = (ev.capacity_in_person, ev.capacity_online)
        ev.capacity = None if None in caps else sum(caps)
    ev.touch()
    # The link is a secret of the participants: the audit keeps only that it changed.
    audit.record("participation_changed", ev, event_id=ev.id, user=user, **{
        k: (["…", "…"] if k in ("online_url", "online_details") else v)
        for k, v in changed.items()})
    db.session.flush()
    promoted = fill_free_places(ev, user=user, notify=True)
    return list(changed), promoted


def _check_nobody_chose_the_other_mode(ev: Event, new_mode: str) -> None:
    """Leaving hybrid must not change anyone's choice silently (walk finding: a click on
    "In person" made four online participants in-person people, irreversibly).

    :raises EventError: someone active (pending, confirmed, waiting) chose the other mode.
    """
    others = list(db.session.scalars(select(Registration).where(
        Registration.event_id == ev.id, Registration.participation != new_mode,
        Registration.status.in_(ACTIVE_STATUSES)).order_by(Registration.id)))
    if not others:
        return
    other = MODE_LABELS[ONLINE if new_mode == IN_PERSON else IN_PERSON].lower()
    names = ", ".join(r.full_name for r in others[:5]) + (" …" if len(others) > 5 else "")
    raise EventError({"participation_mode": [
        f"{len(others)} {'person takes' if len(others) == 1 else 'people take'} part {other} "
        f"({names}). Move them with their registration's page, or cancel them, before the "
        f"meeting stops being hybrid: nobody's choice is changed without them being told."]})


def _counts_by_participation(ev: Event) -> dict[str, tuple[int, int]]:
    """Mode → (confirmed, waitlisted) by each row's participation, whatever the event's mode."""
    found: dict[str, list[int]] = {m: [0, 0] for m in PARTICIPATIONS}
    for mode, status, n in db.session.execute(
            select(Registration.participation, Registration.status, func.count())
            .where(Registration.event_id == ev.id,
                   Registration.status.in_((CONFIRMED, WAITLISTED)))
            .group_by(Registration.participation, Registration.status)):
        found.setdefault(mode, [0, 0])[0 if status == CONFIRMED else 1] += n
    return {m: (c, w) for m, (c, w) in found.items()}


@dataclass(frozen=True)
class Switched:
    registration: Registration
    promoted: list[Registration]  # people confirmed in the old mode's freed place


@writer
def switch(registration: Registration, participation: str, *,
           user: User | None = None) -> Switched:
    """Move a registration of a hybrid event to the other mode (the registrant on their
    private page, or staff for them).

    A confirmed person needs a free place in the new mode with nobody waiting for it; a
    waitlisted person switches only into a free place (and is then confirmed there); a
    pending one holds no place and simply changes. The place left behind goes to the head
    of the old mode's waiting list in the same transaction.

    :raises ParticipationFull: the new mode has no free place: nothing changes, the message
        says so.
    :raises AlreadyCancelled: cancelled or declined.
    :raises CapacityError: the event is not hybrid, or `participation` is not a mode.
    """
    if participation not in PARTICIPATIONS:
        raise CapacityError("Choose in person or online.")
    ev, reg = locked(registration)
    if ev.participation_mode != HYBRID:
        raise CapacityError(
            f"This event takes place {MODE_LABELS[ev.participation_mode].lower()} only.")
    if reg.status not in (PENDING, CONFIRMED, WAITLISTED):
        raise AlreadyCancelled(f"A {reg.status} registration cannot be changed.")
    if reg.participation == participation:
        return Switched(reg, [])
    was = reg.participation
    new = MODE_LABELS[participation].lower()
    promoted_self = False
    if reg.status in (CONFIRMED, WAITLISTED):
        confirmed, waitlisted = pool_counts(ev)[participation]
        cap = pool_capacity(ev, participation)
        if not (cap is None or (confirmed < cap and waitlisted == 0)):
            old = MODE_LABELS[was].lower()
            stay = "You stay on the waiting list to take part" if reg.status == WAITLISTED \
                else "You keep your place to take part"
            raise ParticipationFull(
                f"There is no free place to take part {new}: "
                + (f"all {cap} are taken" if waitlisted == 0 else
                   f"{waitlisted} {'person is' if waitlisted == 1 else 'people are'} "
                   "waiting for one")
                + f". {stay} {old}; nothing changed.")
        promoted_self = reg.status == WAITLISTED
    now = utcnow()
    reg.participation = participation
    reg.updated_at = now
    if promoted_self:
        reg.status, reg.promoted_at = CONFIRMED, now
    db.session.flush()
    audit.record("participation_switched", reg, event_id=ev.id, user=user,
                 actor="" if user else "registrant", previous=was, participation=participation,
                 status=reg.status)
    promoted = fill_free_places(ev, user=user, notify=True)
    return Switched(reg, promoted)


# --- reading --------------------------------------------------------------------------------


def switch_hint(reg: Registration) -> str:
    """What taking part the other way would mean for `reg` (the hint beside the private
    page's switch button): the rule of `switch`, in the registrant's words."""
    other = ONLINE if reg.participation == IN_PERSON else IN_PERSON
    new, old = MODE_LABELS[other].lower(), MODE_LABELS[reg.participation].lower()
    if reg.status == CONFIRMED:
        return (f"Only while places {new} are free; your place {old} then goes to the next "
                "person waiting for one.")
    if reg.status == WAITLISTED:
        return (f"Only while places {new} are free: you are then confirmed to take part "
                f"{new} and leave the waiting list {old}.")
    return f"Your registration holds no place yet; it is then decided for taking part {new}."


def online_link_for(reg: Registration) -> OnlineLink | None:
    """The online link `reg` may see: confirmed and taking part online, and the event has a
    link (an online event's registrations all take part online). None otherwise."""
    ev = reg.event
    if (reg.status != CONFIRMED or reg.participation != ONLINE or not ev.online_url
            or ev.participation_mode not in (ONLINE, HYBRID)):
        return None
    return OnlineLink(ev.online_url, ev.online_details or "")


def mode_places(event: Event) -> list[ModePlaces]:
    """Places per mode as the rows stand (a page's figures, read without the lock)."""
    pools = pool_counts(event)
    return [ModePlaces(m, pool_capacity(event, m), *pools.get(m, (0, 0)))
            for m in pool_modes(event)]


def mode_choices(event: Event) -> list[tuple[str, str]]:
    """What a registrant of `event` may choose: both modes in a hybrid event, else none."""
    if event.participation_mode != HYBRID:
        return []
    return [(IN_PERSON, "In person, at the venue"), (ONLINE, "Online")]


@transactional
def edit_event_everything(event: Event, data, settings, participation: ParticipationSettings,
                          *, user: User | None, capacity) -> tuple[list[str], list]:
    """The API's one PATCH (`PATCH /api/v1/events/<slug>`): event fields, accreditation
    settings and participation, all or nothing. Returns (changed names, promoted).

    Into hybrid, the event's fields (its single capacity included) are saved first and the
    per-mode capacities then replace it; out of hybrid, the mode changes first, so a new
    single capacity is judged against everyone confirmed.
    """
    if participation.participation_mode == HYBRID:
        first = edit_event_and_settings(event, data, settings, user=user, capacity=capacity)
        changed, promoted = update_participation(event, participation, user=user)
        return first.changed + changed, first.promoted + promoted
    changed, promoted = update_participation(event, participation, user=user)
    then = edit_event_and_settings(event, data, settings, user=user, capacity=capacity)
    return changed + then.changed, promoted + then.promoted
