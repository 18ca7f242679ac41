"""Reference lists: APEC member economies, sectors, categories, kinds.

The economies are listed in APEC's own order (alphabetical by the names APEC
uses, which is why "People's Republic of China" sorts as China and
"Republic of Korea" as Korea); the List of Participants follows it.
"""

from __future__ import annotations

ECONOMIES: dict[str, str] = {
    "AUS": "Australia",
    "BD": "Brunei Darussalam",
    "CDA": "Canada",
    "CHL": "Chile",
    "PRC": "People's Republic of China",
    "HKC": "Hong Kong, China",
    "INA": "Indonesia",
    "JPN": "Japan",
    "ROK": "Republic of Korea",
    "MAS": "Malaysia",
    "MEX": "Mexico",
    "NZ": "New Zealand",
    "PNG": "Papua New Guinea",
    "PE": "Peru",
    "PHL": "The Philippines",
    "RUS": "Russia",
    "SGP": "Singapore",
    "CT": "Chinese Taipei",
    "THA": "Thailand",
    "USA": "United States",
    "VN": "Viet Nam",
}
ECONOMY_ORDER = {code: i for i, code in enumerate(ECONOMIES)}

SECTORS: dict[str, str] = {
    "government": "Government",
    "private_sector": "Private sector",
    "international_organisation": "International organisation",
    "academia": "Academia",
    "other": "Other",
}

CATEGORIES: dict[str, str] = {
    "delegate": "Delegate",
    "head_of_delegation": "Head of delegation",
    "speaker": "Speaker",
    "observer": "Observer",
    "secretariat": "Secretariat",
    "media": "Media",
}

EVENT_KINDS = {"meeting": "Meeting", "conference": "Conference", "workshop": "Workshop"}
EVENT_STATUSES = {"draft": "Draft", "published": "Published", "cancelled": "Cancelled"}
AGENDA_KINDS = {
    "session": "Session",
    "plenary": "Plenary",
    "break": "Break",
    "meal": "Meal",
    "side_meeting": "Side meeting",
}
DELIVERABLE_STATUSES = {
    "planned": "Planned",
    "in_progress": "In progress",
    "done": "Done",
    "cancelled": "Cancelled",
}
