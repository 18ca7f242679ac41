"""Input record for one badge: plain data, no database objects."""

from __future__ import annotations

from dataclasses import dataclass

#: Badge categories, in the order organisers usually list them.
CATEGORIES: tuple[str, ...] = (
    "delegate",
    "head_of_delegation",
    "speaker",
    "observer",
    "secretariat",
    "media",
)


@dataclass(frozen=True)
class BadgeData:
    """Everything printed on one badge.

    All strings are user-supplied and are drawn literally (never parsed as markup).
    ``checkin_payload`` goes into the QR code; it must not be a secret.
    """

    name: str
    native_name: str | None
    affiliation: str
    category: str
    event_title: str
    event_dates: str
    checkin_payload: str

    def __post_init__(self) -> None:
        for field in ("name", "affiliation", "category", "event_title", "event_dates",
                      "checkin_payload"):
            value = getattr(self, field)
            if not isinstance(value, str):
                raise TypeError(f"BadgeData.{field} must be str, not {type(value).__name__}")
        if self.native_name is not None and not isinstance(self.native_name, str):
            raise TypeError("BadgeData.native_name must be str or None")
        if self.category not in CATEGORIES:
            raise ValueError(
                f"unknown badge category {self.category!r}; expected one of {', '.join(CATEGORIES)}"
            )
        if not self.checkin_payload:
            raise ValueError("BadgeData.checkin_payload must not be empty")
