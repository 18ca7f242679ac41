"""Fictional registrations for trying badges, lists and summaries, and a fictional upcoming
event for trying everything else (`seed --demo`).

Every person here is invented; addresses use the reserved domain demo.example
and each row's note says so. Names cover the scripts of the 21 economies.
Registrations go through the registration service (no email is queued), so the
waiting list, promotions and cancellations are real.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from ..accreditation import services as accreditation
from ..agenda.services import publish_agenda
from ..auth.services import create_user, get_user_by_email
from ..database import unit_of_work
from ..events.editing import EventData, edit_event
from ..events.services import event_starts_at
from ..extensions import db
from ..invitations import services as invitations
from ..models import APPROVAL, FOCAL_POINT, ORGANISER, AgendaItem, Event, Registration, User
from ..reference import ECONOMIES
from ..registration import services
from ..registration.validation import RegistrationInput

DOMAIN = "demo.example"
NOTE = "Fictional demo registration (seed --demo)."
REGISTRATION_LEAD = timedelta(days=30)

# (given name, family name, name in native script) — invented people, three per economy.
PEOPLE: dict[str, list[tuple[str, str, str]]] = {
    "AUS": [("Olivia", "Hartley", ""), ("Jack", "O'Connell", ""), ("Mei", "Nguyen", "")],
    "BD": [("Nurul", "Hakim", ""), ("Siti Aisyah", "Abdul Rahman", ""), ("Hazim", "Yusof", "")],
    "CDA": [("Émilie", "Tremblay", ""), ("Liam", "MacDonald", ""), ("Priya", "Sharma", "")],
    "CHL": [("Catalina", "Muñoz Rojas", ""), ("Matías", "González", ""),
            ("Valentina", "Núñez", "")],
    "PRC": [("Wei", "Zhang", "张伟"), ("Xiaoling", "Wang", "王晓玲"), ("Jun", "Li", "李军")],
    "HKC": [("Ka-ming", "Chan", "陳家明"), ("Wing-yan", "Wong", "黃詠欣"),
            ("Chi-keung", "Lee", "李志強")],
    "INA": [("Siti", "Rahayu", ""), ("Budi", "Santoso", ""), ("Dewi", "Lestari", "")],
    "JPN": [("Hanako", "Sato", "佐藤 花子"), ("Takeshi", "Suzuki", "鈴木 健"),
            ("Yui", "Takahashi", "髙橋 結衣")],
    "ROK": [("Min-jun", "Kim", "김민준"), ("Seo-yeon", "Lee", "이서연"),
            ("Ji-ho", "Park", "박지호")],
    "MAS": [("Nurul Aina", "Abdullah", ""), ("Kumar", "Rajendran", ""),
            ("Mei Ling", "Lim", "林美玲")],
    "MEX": [("José Luis", "Hernández", ""), ("Guadalupe", "Martínez", ""),
            ("Ximena", "López", "")],
    "NZ": [("Aroha", "Ngata", ""), ("Tom", "Whitfield", ""), ("Sione", "Taufa", "")],
    "PNG": [("Kila", "Namaliu", ""), ("Grace", "Kaupa", ""), ("Peter", "Wari", "")],
    "PE": [("Rosa", "Quispe Huamán", ""), ("Diego", "Ramírez", ""), ("Lucía", "Peña", "")],
    "PHL": [("Maria", "Santos", ""), ("Jose", "Dela Cruz", ""), ("Angelica", "Reyes", "")],
    "RUS": [("Ivan", "Petrov", "Иван Петров"), ("Olga", "Smirnova", "Ольга Смирнова"),
            ("Dmitry", "Volkov", "Дмитрий Волков")],
    "SGP": [("Wei Ling", "Tan", "陈伟玲"), ("Arjun", "Pillai", ""), ("Nur Hidayah", "Osman", "")],
    "CT": [("Yu-ting", "Lin", "林雨婷"), ("Chih-hao", "Chen", "陳志豪"),
           ("Shu-fen", "Huang", "黃淑芬")],
    "THA": [("Somchai", "Jaidee", "สมชาย ใจดี"), ("Nok", "Saelim", "นก แซ่ลิ้ม"),
            ("Kanya", "Srisuk", "กันยา ศรีสุข")],
    "USA": [("Emily", "Carter", ""), ("Marcus", "Johnson", ""), ("Sofía", "Ramos", "")],
    "VN": [("Minh Khai", "Nguyễn Thị", "Nguyễn Thị Minh Khai"),
           ("Quang", "Trần Văn", "Trần Văn Quang"), ("Lan", "Phạm Thị", "Phạm Thị Lan")],
}
SECTORS = ["government"] * 4 + ["international_organisation", "academia", "private_sector"]
CATEGORIES = ["delegate"] * 4 + ["speaker", "observer", "secretariat", "media"]
DIETARY = ["", "", "", "Vegetarian", "Halal", "No pork", "Gluten-free"]
ACCESSIBILITY = [""] * 9 + ["Step-free access, please", "Hearing loop"]


def _everyone() -> list[tuple[str, tuple[str, str, str]]]:
    """People in an order that mixes economies: one of each, then the second of each, …"""
    return [(code, PEOPLE[code][i]) for i in range(3) for code in ECONOMIES]


def _input(n: int, economy: str, person: tuple[str, str, str], *, category: str | None = None,
           organisation: str | None = None) -> RegistrationInput:
    given, family, native = person
    return RegistrationInput(
        given_name=given, family_name=family, native_name=native,
        email=f"demo{n:03d}@{DOMAIN}", economy=economy,
        organisation=organisation or f"{ECONOMIES[economy]} Counter-Terrorism Office (fictional)",
        sector=SECTORS[n % len(SECTORS)], category=category or CATEGORIES[n % len(CATEGORIES)],
        dietary=DIETARY[n % len(DIETARY)], accessibility=ACCESSIBILITY[n % len(ACCESSIBILITY)],
        consent_to_list=n % 5 != 0,
    )


def _before(event: Event) -> datetime | None:
    """A moment when the event's registration was open: REGISTRATION_LEAD before it began
    (the first of the month when only the month is known; None, the clock, for an event
    with neither: it has not begun).

    The seeded events took place in 2020, and registration closes when an event begins:
    the demo registers as of that earlier moment (`register(..., now=...)`), which judges
    only the registration window; the rows carry today's times.
    """
    starts = event_starts_at(event)
    if starts is None and event.tentative_month:  # only the month is known: its first day
        year, month = map(int, event.tentative_month.split("-"))
        starts = datetime(year, month, 1, tzinfo=ZoneInfo(event.timezone))
    return None if starts is None else starts - REGISTRATION_LEAD


def load_demo_registrations() -> int:
    """Add the demo registrations unless they are there already; return how many were made."""
    have = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.email_normalized.like(f"%@{DOMAIN}")))
    if have:
        return 0
    events = {e.slug: e for e in db.session.scalars(select(Event))}
    people = _everyone()
    n = 0
    made: dict[str, list[Registration]] = {}

    def add(slug: str, data: RegistrationInput) -> None:
        made.setdefault(slug, []).append(services.register(
            events[slug], data, notify=False, trusted=True,
            now=_before(events[slug])).registration)

    # CTWG 15: a meeting well under capacity, with three cancellations.
    for economy, person in people[:42]:
        n += 1
        add("ctwg-15", _input(n, economy, person))
    for reg in made["ctwg-15"][5:8]:
        services.cancel_registration(reg, reason="demo", notify=False)

    # The workshop (capacity 50): full, a waiting list, then two cancellations promote two.
    for economy, person in people[:56]:
        n += 1
        add("aviation-soft-target-workshop", _input(n, economy, person))
    for reg in made["aviation-soft-target-workshop"][:2]:
        services.cancel_registration(reg, reason="demo", notify=False)

    # STAR XI: two delegations registered by their heads, and a few individuals.
    for economy in ("THA", "JPN"):
        members = []
        for i, person in enumerate(PEOPLE[economy]):
            n += 1
            members.append(_input(n, economy, person,
                                  category="head_of_delegation" if i == 0 else "delegate"))
        for done in services.register_delegation(events["star-xi"], members[0], members[1:],
                                                 notify=False, trusted=True,
                                                 now=_before(events["star-xi"])):
            made.setdefault("star-xi", []).append(done.registration)
    for economy, person in people[21:33]:
        if economy in ("THA", "JPN"):
            continue
        n += 1
        add("star-xi", _input(n, economy, person, category="speaker" if n % 3 == 0 else None))

    # Ids taken before the unit of work (it reloads what the session holds, one by one).
    ids = [reg.id for regs in made.values() for reg in regs]
    with unit_of_work():
        db.session.execute(update(Registration).where(Registration.id.in_(ids))
                           .values(note=NOTE).execution_options(synchronize_session=False))
    return sum(len(regs) for regs in made.values())


# --- a fictional upcoming event, so that every flow can be tried today ------------------------

DEMO_EVENT_SLUG = "demo-practice-workshop"
DEMO_EVENT_DOMAIN = "practice.demo.example"
DEMO_TZ = "Asia/Singapore"
DEMO_LEAD_DAYS = 21  # the event starts this many days after the seed runs
DEMO_CAPACITY = 30
# (day, start, end, title, kind, room) of the two days, local times.
DEMO_AGENDA = [
    (0, (9, 0), (9, 30), "Arrival and badge collection", "break", "Foyer"),
    (0, (9, 30), (10, 30), "Opening plenary: why practise at all?", "plenary", "Hall A"),
    (0, (10, 30), (11, 0), "Coffee", "break", "Foyer"),
    (0, (11, 0), (12, 30), "Tabletop exercise: a crowded venue", "session", "Room 1"),
    (0, (12, 30), (14, 0), "Lunch", "meal", "Terrace"),
    (0, (14, 0), (15, 30), "Tabletop exercise: the debrief", "session", "Room 1"),
    (0, (16, 0), (17, 0), "Side meeting of the organisers", "side_meeting", "Room 2"),
    (1, (9, 0), (10, 30), "Working session: writing it down", "session", "Room 1"),
    (1, (10, 30), (11, 0), "Coffee", "break", "Foyer"),
    (1, (11, 0), (12, 0), "Closing plenary and next steps", "plenary", "Hall A"),
]


def load_demo_event(today: date | None = None) -> int:
    """Add the fictional upcoming workshop unless it is there; return its registrations made.

    Its dates follow `today` (the seed's day in DEMO_TZ): it starts DEMO_LEAD_DAYS later,
    registration is open until then, its agenda is published, and it is full with a short
    waiting list, so registering, the waiting list, cancelling, badges and the desk can all
    be tried. It belongs to no work plan: it is in no year's report.
    """
    if db.session.scalar(select(Event.id).where(Event.slug == DEMO_EVENT_SLUG)) is not None:
        return 0
    tz = ZoneInfo(DEMO_TZ)
    today = today or datetime.now(tz).date()
    start = today + timedelta(days=DEMO_LEAD_DAYS)
    with unit_of_work():
        event = Event(
            slug=DEMO_EVENT_SLUG, title="Practice Workshop on Event Security (fictional demo)",
            short_title="Practice workshop (demo)", kind="workshop", status="published",
            description="A made-up event for trying eventsapp: every person registered here "
                        "is invented, and nothing here is real.",
            theme="Trying every step of a meeting, from registration to the door",
            venue_name="Demo Conference Centre (fictional)", city="Singapore",
            venue_economy="SGP", timezone=DEMO_TZ, start_date=start,
            end_date=start + timedelta(days=1), capacity=DEMO_CAPACITY, waitlist_enabled=True,
            registration_closes_at=datetime.combine(start, time(0, 0), tz))
        db.session.add(event)
        db.session.flush()
        for day, (h1, m1), (h2, m2), title, kind, room in DEMO_AGENDA:
            on = start + timedelta(days=day)
            event.agenda_items.append(AgendaItem(
                title=title, kind=kind, room=room,
                description="Fictional session of the demo event.",
                starts_at=datetime.combine(on, time(h1, m1), tz),
                ends_at=datetime.combine(on, time(h2, m2), tz)))
        db.session.flush()
        publish_agenda(event)
    made = []
    for n, (economy, person) in enumerate(_everyone()[:DEMO_CAPACITY + 4], start=1):
        data = replace(_input(n, economy, person),
                       email=f"demo{n:03d}@{DEMO_EVENT_DOMAIN}")
        made.append(services.register(event, data, notify=False, trusted=True).registration)
    # Two cancellations: their places go to the head of the waiting list.
    for reg in made[3:5]:
        services.cancel_registration(reg, reason="demo", notify=False)
    ids = [reg.id for reg in made]
    with unit_of_work():
        db.session.execute(update(Registration).where(Registration.id.in_(ids))
                           .values(note=NOTE).execution_options(synchronize_session=False))
    return len(made)


# --- CTWG 16 the APEC way: approval, focal points, observers by invitation -------------------

ACCREDITATION_EVENT = "ctwg-16"
# A known password for the demo accounts, printed by `seed --demo`: for trying the app on
# one's own machine only (the accounts are on the reserved domain demo.example).
DEMO_PASSWORD = "apec-ctwg-demo-2020"  # noqa: S105  (published on purpose, for the demo)
FOCAL_ECONOMIES = ("AUS", "SGP", "THA", "JPN")
# The heads' titles as protocol writes them (the first person of each economy in PEOPLE).
HEAD_TITLES = {"AUS": "H.E. Ms", "SGP": "Ms", "THA": "Mr", "JPN": "Ms"}
SECRETARIAT = f"secretariat@{DOMAIN}"
OBSERVERS = [("UNOCT (fictional)", "observer.unoct"), ("UNODC (fictional)", "observer.unodc"),
             ("ICAO (fictional)", "observer.icao")]


@dataclass(frozen=True)
class AccreditationDemo:
    accounts: list[tuple[str, str]]  # (email, role as said)
    heads: list[tuple[str, str]]  # (economy code, path of the head's private page)
    invitations: list[tuple[str, str]]  # (email, path of the invitation)
    registrations: int


def focal_point_email(economy: str) -> str:
    return f"focal.{economy.lower()}@{DOMAIN}"


def load_accreditation_demo() -> AccreditationDemo | None:
    """Make CTWG 16 run the APEC way, once: approval mode with quotas, demo accounts for the
    secretariat and four economies' focal points, delegations with their heads, decisions
    taken and left to take, and observers invited. None if it was done already.

    No email is queued (the addresses are fictional); the private links of the heads and
    of the invitations are returned so that the command can print them.
    """
    ev = db.session.scalar(select(Event).where(Event.slug == ACCREDITATION_EVENT))
    if ev is None or db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.event_id == ev.id,
            Registration.email_normalized.like(f"%@{DOMAIN}"))):
        return None
    accreditation.update_settings(ev, accreditation.Settings(
        registration_mode=APPROVAL, approval_steps=1,
        public_categories=["delegate"],  # observers come by invitation
        category_limits={"observer": 10, "media": 5}), user=None)
    data = EventData.of(ev)
    data.per_economy_limit = 4
    edit_event(ev, data, user=None)

    accounts = [(SECRETARIAT, "secretariat (organiser of every event)")]
    staff = {"secretariat": _account(SECRETARIAT, ORGANISER, None)}
    for code in FOCAL_ECONOMIES:
        email = focal_point_email(code)
        staff[code] = _account(email, FOCAL_POINT, code)
        accounts.append((email, f"focal point of {ECONOMIES[code]}"))

    made: list[int] = []
    heads: list[tuple[str, str]] = []
    n = 200
    for code in FOCAL_ECONOMIES:
        head_person, approved_person, waiting_person = PEOPLE[code]
        n += 1
        head = accreditation.register_for_economy(
            ev, replace(_input(n, code, head_person, category="head_of_delegation"),
                        honorific=HEAD_TITLES[code], consent_to_list=True),
            user=staff[code], notify=False)
        heads.append((code, f"/registrations/{head.token}"))
        made.append(head.registration.id)
        for person, decide in ((approved_person, True), (waiting_person, False)):
            n += 1
            reg = services.register(ev, _input(n, code, person, category="delegate"),
                                    notify=False, now=_before(ev)).registration
            made.append(reg.id)
            if decide:
                accreditation.approve(reg, user=staff[code], notify=False)
    # Economies without a demo focal point: the secretariat decides.
    for code, reason in (("MAS", None), ("NZ", None),
                         ("USA", "Nominations come through your economy's focal point; "
                                 "please ask them to register you.")):
        n += 1
        reg = services.register(ev, _input(n, code, PEOPLE[code][0], category="delegate"),
                                notify=False, now=_before(ev)).registration
        made.append(reg.id)
        if reason:
            accreditation.decline(reg, user=staff["secretariat"], reason=reason, notify=False)

    # Observers come by invitation: one registered, one declined, one not answered yet.
    issued = invitations.issue(ev, [invitations.Invitee(f"{local}@{DOMAIN}", "observer", None)
                                    for _org, local in OBSERVERS],
                               user=staff["secretariat"], notify=False)
    (first, first_token), (second, second_token), (third, third_token) = issued
    org, _local = OBSERVERS[0]
    done = services.register(ev, RegistrationInput(
        given_name="Amara", family_name="Okonkwo", email=first.email, organisation=org,
        sector="international_organisation", category="observer", honorific="Dr",
        consent_to_list=True), notify=False, invitation_token=first_token, now=_before(ev))
    made.append(done.registration.id)
    invitations.decline(second_token)
    with unit_of_work():
        db.session.execute(update(Registration).where(Registration.id.in_(made))
                           .values(note=NOTE).execution_options(synchronize_session=False))
    return AccreditationDemo(accounts, heads, [(third.email, f"/invitations/{third_token}")],
                             len(made))


def _account(email: str, role: str, economy: str | None) -> User:
    user = get_user_by_email(email)
    if user is None:
        user = create_user(email, DEMO_PASSWORD, role, economy=economy, actor="seed --demo")
    return user
