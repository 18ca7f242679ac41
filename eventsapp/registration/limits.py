"""Limits that count rows under the event's lock: per economy, per category, one head.

Each function is called by a registration use case after `lock_event`, and counts only
registrations that hold a place or a place in the waiting list (`confirmed`,
`waitlisted`): a pending registration holds nothing, so approving it is when it counts.
The one head of delegation per economy is the exception: a pending head is a head, and
so is counted; the partial unique index `uq_registration_head` is the second guard.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..i18n import ngettext
from ..models import (
    ACTIVE_STATUSES,
    CONFIRMED,
    HEAD_OF_DELEGATION,
    WAITLISTED,
    Event,
    Registration,
)
from ..reference import CATEGORIES, ECONOMIES
from .errors import EconomyLimitReached, HeadOfDelegationTaken, QuotaReached

HOLDING = (CONFIRMED, WAITLISTED)


@dataclass(frozen=True)
class Seat:
    """What a limit needs to know of one person about to hold a place."""

    category: str
    economy: str | None


def check_places(ev: Event, seats: Iterable[Seat], *, leaving: Iterable[Seat] = ()) -> None:
    """Refuse when the newcomers would pass a category quota or the per-economy limit.

    :param leaving: places given up in the same change (an edit that moves someone from
        one category to another leaves their old one).
    :raises QuotaReached: a category of `Event.category_limits` is full.
    :raises EconomyLimitReached: `Event.per_economy_limit` is reached for an economy
        (heads of delegation are not counted: "four per economy, plus the head").
    """
    seats, leaving = list(seats), list(leaving)
    _check_categories(ev, seats, leaving)
    _check_economies(ev, seats, leaving)


def _check_categories(ev: Event, seats: list[Seat], leaving: list[Seat]) -> None:
    limits = ev.category_limits or {}
    wanted = Counter(s.category for s in seats) - Counter(s.category for s in leaving)
    for category, n in wanted.items():
        limit = limits.get(category)
        if limit is None or n <= 0:
            continue
        have = db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.event_id == ev.id, Registration.status.in_(HOLDING),
            Registration.category == category))
        if have + n > limit:
            left = max(limit - have, 0)
            label = CATEGORIES.get(category, category).lower()
            raise QuotaReached(
                f"This event takes at most {limit} in the category {label}; "
                + ngettext("%(num)d place left in it.", "%(num)d places left in it.", left))


def _check_economies(ev: Event, seats: list[Seat], leaving: list[Seat]) -> None:
    if ev.per_economy_limit is None:
        return
    counted = Counter(s.economy for s in seats if s.economy and s.category != HEAD_OF_DELEGATION)
    counted -= Counter(s.economy for s in leaving
                       if s.economy and s.category != HEAD_OF_DELEGATION)
    for economy, n in counted.items():
        if n <= 0:
            continue
        have = db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.event_id == ev.id, Registration.status.in_(HOLDING),
            Registration.economy == economy, Registration.category != HEAD_OF_DELEGATION))
        if have + n > ev.per_economy_limit:
            left = max(ev.per_economy_limit - have, 0)
            raise EconomyLimitReached(
                ngettext("This event takes at most %(num)d participant per economy besides "
                         "the head of delegation; ", "This event takes at most %(num)d "
                         "participants per economy besides the head of delegation; ",
                         ev.per_economy_limit)
                + ngettext("%(num)d place left for this economy.",
                           "%(num)d places left for this economy.", left))


def current_head(ev: Event, economy: str) -> Registration | None:
    """The economy's active head of delegation at `ev` (lock held), or None."""
    return db.session.scalar(select(Registration).where(
        Registration.event_id == ev.id, Registration.economy == economy,
        Registration.category == HEAD_OF_DELEGATION,
        Registration.status.in_(ACTIVE_STATUSES)))


def check_head_free(ev: Event, seats: Iterable[Seat], *, except_id: int | None = None) -> None:
    """:raises HeadOfDelegationTaken: a newcomer would be a second head of one economy."""
    heads = [s.economy for s in seats if s.category == HEAD_OF_DELEGATION]
    if not heads:
        return
    if any(economy is None for economy in heads):
        raise HeadOfDelegationTaken("A head of delegation represents an economy: choose it.")
    if len(set(heads)) != len(heads):
        raise HeadOfDelegationTaken("An economy has one head of delegation.")
    for economy in heads:
        head = current_head(ev, economy)
        if head is not None and head.id != except_id:
            raise HeadOfDelegationTaken(head_taken_message(economy))


def head_taken_message(economy: str | None) -> str:
    name = ECONOMIES.get(economy or "", economy or "")
    return (f"{name} already has a head of delegation at this event. An economy has one: "
            "its focal point or the secretariat can change who it is.")
