"""A known data set on the seeded 'ctwg-15' (10–11 February 2020), and the figures it must give."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import CheckIn, Event, PublishedAgendaItem, Registration, User
from eventsapp.tokens import hash_token, new_checkin_code

KL = ZoneInfo("Asia/Kuala_Lumpur")
DAY1, DAY2 = date(2020, 2, 10), date(2020, 2, 11)
SLUG = "ctwg-15"

# key: (given, family, badge, native, economy, organisation, category, sector, status, consent,
#       created (Jan 2020 day), cancelled (Jan 2020 day), check-in days)
PEOPLE = {
    "jane": ("Jane", "Citizen", "", "", "AUS", "Department of Home Affairs", "head_of_delegation",
             "government", "confirmed", True, 10, None, (DAY1, DAY2)),
    "adam": ("Adam", "Zed", "", "", "AUS", "AUSTRAC", "delegate", "government", "confirmed",
             True, 10, None, (DAY1,)),
    "bob": ("Bob", "Brown", "", "", "AUS", "Australian Federal Police", "delegate", "government",
            "confirmed", False, 10, None, ()),
    "li": ("Xiaolong", "Li", "LI Xiaolong", "李小龍", "PRC", "Ministry of Public Security",
           "head_of_delegation", "government", "confirmed", True, 10, None, (DAY1, DAY2)),
    "somchai": ("Somchai", "Jaidee", "", "สมชาย ใจดี", "THA", "Royal Thai Police", "delegate",
                "government", "confirmed", True, 11, None, (DAY1,)),
    "minh": ("Minh Khai", "Nguyễn Thị", "Nguyễn Thị Minh Khai", "", "VN",
             "Diplomatic Academy of Viet Nam", "speaker", "academia", "confirmed", True, 11,
             None, (DAY2,)),
    "pierre": ("Pierre", "Dupont", "", "", None, "UNOCT", "observer",
               "international_organisation", "confirmed", True, 11, None, (DAY1,)),
    "olivia": ("Olivia", "Okafor", "", "", None, "ICAO", "speaker", "international_organisation",
               "confirmed", False, 11, None, ()),
    "taro": ("Taro", "Yamada", "", "山田太郎", "JPN", "National Police Agency", "delegate",
             "government", "waitlisted", True, 20, None, ()),
    "sam": ("Sam", "Smith", "", "", "USA", "Department of State", "delegate", "government",
            "waitlisted", True, 20, None, ()),
    "carl": ("Carl", "Gone", "", "", "AUS", "Department of Home Affairs", "delegate",
             "government", "cancelled", True, 12, 15, ()),
    "maria": ("Maria", "Lopez", "", "", "MEX", "SRE", "delegate", "government", "cancelled",
              True, 12, 25, ()),
}

# What the data set must give.
CONFIRMED, WAITLISTED, CANCELLED, CAPACITY = 8, 2, 2, 8
BY_ECONOMY = {"AUS": 3, "PRC": 1, "THA": 1, "VN": 1}  # every other economy: 0
ORGANISATIONS = {"ICAO": 1, "UNOCT": 1}
BY_SECTOR = {"Government": 5, "Private sector": 0, "International organisation": 2,
             "Academia": 1, "Other": 0}
BY_CATEGORY = {"Delegate": 3, "Head of delegation": 2, "Speaker": 2, "Observer": 1,
               "Secretariat": 0, "Media": 0}
ATTENDANCE = {DAY1: 5, DAY2: 3}
ATTENDED = 6
# Of the registered above, who was checked in on at least one day.
ATTENDED_BY_ECONOMY = {"AUS": 2, "PRC": 1, "THA": 1, "VN": 1}
ATTENDED_ORGANISATIONS = {"ICAO": 0, "UNOCT": 1}
ATTENDED_BY_SECTOR = {"Government": 4, "Private sector": 0, "International organisation": 1,
                      "Academia": 1, "Other": 0}
ATTENDED_BY_CATEGORY = {"Delegate": 2, "Head of delegation": 2, "Speaker": 1, "Observer": 1,
                        "Secretariat": 0, "Media": 0}
# Protocol names: given name and FAMILY name, or the badge name as the person wrote it.
LOP_ORDER = [
    ("Australia", ["Jane CITIZEN", "Bob BROWN", "Adam ZED"]),
    ("People's Republic of China", ["LI Xiaolong"]),
    ("Thailand", ["Somchai JAIDEE"]),
    ("Viet Nam", ["Nguyễn Thị Minh Khai"]),
    ("ICAO", ["Olivia OKAFOR"]),
    ("UNOCT", ["Pierre DUPONT"]),
]
PUBLIC_LOP_ORDER = [
    ("Australia", ["Jane CITIZEN", "Adam ZED"]),
    ("People's Republic of China", ["LI Xiaolong"]),
    ("Thailand", ["Somchai JAIDEE"]),
    ("Viet Nam", ["Nguyễn Thị Minh Khai"]),
    ("UNOCT", ["Pierre DUPONT"]),
]
NOT_CONSENTING = ["Bob BROWN", "Olivia OKAFOR"]
CANCELLED_ITEM = "Side meeting on data sharing"


def email_of(key: str) -> str:
    return f"{key}@delegates.example.org"


def registration(event_id: int, key: str, *, given: str, family: str, badge: str = "",
                 native: str = "", economy: str | None = "AUS", organisation: str = "",
                 category: str = "delegate", sector: str = "government",
                 status: str = "confirmed", consent: bool = True,
                 created: datetime | None = None, cancelled: datetime | None = None
                 ) -> Registration:
    return Registration(
        event_id=event_id, given_name=given, family_name=family, badge_name=badge,
        native_name=native, email=email_of(key), email_normalized=email_of(key),
        economy=economy, organisation=organisation, job_title=f"Officer ({key})",
        sector=sector, category=category, status=status, consent_to_list=consent,
        token_hash=hash_token(secrets.token_urlsafe(32)),
        feed_token_hash=hash_token(secrets.token_urlsafe(32)), checkin_code=new_checkin_code(),
        created_at=created or datetime(2020, 1, 10, 9, tzinfo=KL), cancelled_at=cancelled,
    )


def build() -> int:
    """Add the data set to the seeded event (inside an app context); return the event's id."""
    event = db.session.scalar(select(Event).where(Event.slug == SLUG))
    event.capacity = CAPACITY
    for key, (given, family, badge, native, economy, org, category, sector, status, consent,
              created, cancelled, days) in PEOPLE.items():
        reg = registration(
            event.id, key, given=given, family=family, badge=badge, native=native,
            economy=economy, organisation=org, category=category, sector=sector,
            status=status, consent=consent, created=datetime(2020, 1, created, 9, tzinfo=KL),
            cancelled=datetime(2020, 1, cancelled, 9, tzinfo=KL) if cancelled else None)
        reg.checkins = [CheckIn(day=d, at=datetime.combine(d, datetime.min.time(), KL)
                                + timedelta(hours=8)) for d in days]
        db.session.add(reg)
    first = event.published_items[0]
    db.session.add(PublishedAgendaItem(
        id=9000, event_id=event.id, title=CANCELLED_ITEM, kind="side_meeting",
        starts_at=first.starts_at + timedelta(days=1, hours=6),
        ends_at=first.starts_at + timedelta(days=1, hours=7), status="cancelled"))
    # Someone at another event of the year must not leak into this one.
    other = db.session.scalar(select(Event).where(Event.slug == "star-xi"))
    db.session.add(registration(other.id, "elsewhere", given="Emily", family="Elsewhere",
                                economy="CDA"))
    db.session.commit()
    return event.id


def make_user(role: str = "organiser", email: str = "organiser@example.org",
              events: list[Event] | None = None) -> User:
    user = User(email=email, password_hash="not-a-real-hash", role=role,
                session_nonce=secrets.token_hex(8), events=events or [])
    db.session.add(user)
    db.session.commit()
    return user
