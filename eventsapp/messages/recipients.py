"""Who a message or a reminder goes to: a small set of criteria and the one query they make.

`Criteria` is stored as JSON with the message or rule (`as_dict` / `from_dict`), so a rule
evaluated in a week asks the same question as the preview did today. A new criterion
(participation mode, a question's answer once questions exist) is a field here, a check in
`from_dict` and a clause in `recipients_query`; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import aliased

from ..models import (
    CANCELLED,
    CONFIRMED,
    DECLINED,
    HEAD_OF_DELEGATION,
    PENDING,
    WAITLISTED,
    CheckIn,
    Event,
    Registration,
)
from ..reference import CATEGORIES, ECONOMIES

# The statuses one may choose.
STATUSES = (PENDING, CONFIRMED, WAITLISTED, DECLINED, CANCELLED)
NO_ECONOMY = "none"  # in `economy`: people registered without an economy
HEAD_CATEGORY = HEAD_OF_DELEGATION


class CriteriaProblem(ValueError):
    """A criterion names a value that does not exist; `errors` maps field → messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Criteria:
    """Registrations chosen by all the criteria given (an empty one does not narrow).

    `status` empty means every status but cancelled (with `ids`: any status).
    Anonymised registrations never match.
    """

    status: tuple[str, ...] = ()
    economy: tuple[str, ...] = ()  # economy codes, and NO_ECONOMY
    category: tuple[str, ...] = ()
    checked_in: bool | None = None  # checked in on at least one day, or not, or either
    # A selection from the registrations list (ids of the event's registrations).
    ids: tuple[int, ...] = ()
    # Only people of economies that have no confirmed head of delegation at this event
    # (one per economy: registration/limits.py).
    without_head_of_delegation: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()
                if v not in ((), None, False)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Criteria:
        """Criteria from stored or sent JSON.

        :raises CriteriaProblem: an unknown key or value, or a value of the wrong type.
        """
        data = dict(data or {})
        errors: dict[str, list[str]] = {}
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known:
                errors.setdefault(key, []).append(
                    f"Unknown criterion; use: {', '.join(sorted(known))}.")

        def choices(key: str, allowed) -> tuple[str, ...]:
            value = data.get(key) or []
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors.setdefault(key, []).append("Give a list of strings.")
                return ()
            bad = [v for v in value if v not in allowed]
            if bad:
                errors.setdefault(key, []).append(
                    f"Unknown value {', '.join(map(repr, bad))}; use: {', '.join(allowed)}.")
            return tuple(dict.fromkeys(value))

        status = choices("status", STATUSES)
        economy = choices("economy", (*ECONOMIES, NO_ECONOMY))
        category = choices("category", tuple(CATEGORIES))
        checked_in = data.get("checked_in")
        if checked_in is not None and not isinstance(checked_in, bool):
            errors.setdefault("checked_in", []).append("Give true, false or leave it out.")
        ids = data.get("ids") or []
        if not isinstance(ids, list) or not all(
                isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**31 for i in ids):
            errors.setdefault("ids", []).append("Give a list of registration ids.")
            ids = []
        without_head = data.get("without_head_of_delegation", False)
        if not isinstance(without_head, bool):
            errors.setdefault("without_head_of_delegation", []).append("Give true or false.")
        if errors:
            raise CriteriaProblem(errors)
        return cls(status=status, economy=economy, category=category,
                   checked_in=checked_in, ids=tuple(dict.fromkeys(ids)),
                   without_head_of_delegation=bool(without_head))

    def describe(self) -> list[str]:
        """The criteria in words, one per line, for the preview and the message page."""
        out = [("Status: " + ", ".join(self.status)) if self.status
               else "Status: any" if self.ids else "Status: any but cancelled"]
        if self.economy:
            out.append("Economy: " + ", ".join(
                ECONOMIES.get(e, "no economy") for e in self.economy))
        if self.category:
            out.append("Category: " + ", ".join(CATEGORIES[c] for c in self.category))
        if self.checked_in is not None:
            out.append("Checked in" if self.checked_in else "Not checked in")
        if self.ids:
            out.append(f"Chosen in the registrations list: {len(self.ids)}")
        if self.without_head_of_delegation:
            out.append("Only economies without a confirmed head of delegation")
        return out


def recipients_query(criteria: Criteria, *, event_id: int | None = None,
                     work_plan_id: int | None = None,
                     registered_by: datetime | None = None) -> Select:
    """SELECT of the matching registrations (one event's, or a work plan's), by id.

    :param registered_by: only registrations made at or before this instant (a reminder's
        moment: someone who registered later is not reminded).
    """
    stmt = select(Registration).where(Registration.anonymised_at.is_(None))
    if event_id is not None:
        stmt = stmt.where(Registration.event_id == event_id)
    if work_plan_id is not None:
        stmt = stmt.where(Registration.event_id.in_(
            select(Event.id).where(Event.work_plan_id == work_plan_id)))
    if criteria.status:
        stmt = stmt.where(Registration.status.in_(criteria.status))
    elif not criteria.ids:  # a selection from the list is explicit: whatever status it has
        stmt = stmt.where(Registration.status != CANCELLED)
    if criteria.economy:
        codes = [e for e in criteria.economy if e != NO_ECONOMY]
        clause = Registration.economy.in_(codes)
        if NO_ECONOMY in criteria.economy:
            clause = clause | Registration.economy.is_(None)
        stmt = stmt.where(clause)
    if criteria.category:
        stmt = stmt.where(Registration.category.in_(criteria.category))
    if criteria.checked_in is not None:
        checked = exists().where(CheckIn.registration_id == Registration.id)
        stmt = stmt.where(checked if criteria.checked_in else ~checked)
    if criteria.ids:
        stmt = stmt.where(Registration.id.in_(criteria.ids))
    if criteria.without_head_of_delegation:
        head_reg = aliased(Registration)
        head = select(head_reg.id).where(
            head_reg.event_id == Registration.event_id, head_reg.economy == Registration.economy,
            head_reg.category == HEAD_CATEGORY, head_reg.status == CONFIRMED)
        stmt = stmt.where(Registration.economy.is_not(None), ~head.exists())
    if registered_by is not None:
        stmt = stmt.where(Registration.created_at <= registered_by)
    return stmt.order_by(Registration.id)
