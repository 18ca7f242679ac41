"""Organisers' edits to what the year's report says about a deliverable."""

from __future__ import annotations

from .. import audit
from ..database import transactional
from ..inputs import check_text
from ..models import Deliverable, User
from ..reference import DELIVERABLE_STATUSES
from ..textnorm import normalize_text

MAX_NARRATIVE = 5000


class ReportError(Exception):
    """A change the report cannot take; the message is for the organiser."""


@transactional
def update_deliverable(deliverable: Deliverable, *, status: str, narrative: str,
                       focus_area_numbers: list[int], user: User | None = None) -> Deliverable:
    """Set a deliverable's status, narrative and focus areas, and log the change (none when
    nothing changed). The narrative is NFC with LF line ends, stripped.

    :raises ReportError: unknown status, a focus area not in the work plan, or a narrative
        longer than MAX_NARRATIVE characters or holding control characters.
    """
    if status not in DELIVERABLE_STATUSES:
        raise ReportError("Choose one of the listed statuses.")
    known = {fa.number for fa in deliverable.work_plan.focus_areas}
    unknown = sorted(set(focus_area_numbers) - known)
    if unknown:
        raise ReportError(
            f"The work plan has no focus area {', '.join(map(str, unknown))}.")
    narrative = normalize_text(narrative, multiline=True)
    if len(narrative) > MAX_NARRATIVE:
        raise ReportError(f"Keep the narrative under {MAX_NARRATIVE} characters.")
    try:
        check_text(narrative, "The narrative", multiline=True)
    except ValueError as exc:
        raise ReportError(str(exc)) from None
    focus_areas = sorted(set(focus_area_numbers))
    if (status, narrative, focus_areas) == (deliverable.status, deliverable.narrative or "",
                                            sorted(deliverable.focus_area_numbers or [])):
        return deliverable  # saved unchanged: nothing to write or log
    before = {"status": deliverable.status, "focus_areas": list(deliverable.focus_area_numbers),
              "narrative_length": len(deliverable.narrative or "")}
    deliverable.status = status
    deliverable.narrative = narrative
    deliverable.focus_area_numbers = sorted(set(focus_area_numbers))
    audit.record("update", deliverable, user=user, number=deliverable.number, before=before,
                 after={"status": status, "focus_areas": deliverable.focus_area_numbers,
                        "narrative_length": len(narrative)})
    return deliverable
