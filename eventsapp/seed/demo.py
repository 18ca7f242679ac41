"""Fictional registrations for trying badges, lists and summaries (`seed --demo`).

Every person here is invented; addresses use the reserved domain demo.example
and each row's note says so. Names cover the scripts of the 21 economies.
Registrations go through the registration service (no email is queued), so the
waiting list, promotions and cancellations are real.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from ..database import unit_of_work
from ..extensions import db
from ..models import Event, Registration
from ..reference import ECONOMIES
from ..registration import services
from ..registration.validation import RegistrationInput

DOMAIN = "demo.example"
NOTE = "Fictional demo registration (seed --demo)."

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
        made.setdefault(slug, []).append(
            services.register(events[slug], data, notify=False, trusted=True).registration)

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
                                                 notify=False, trusted=True):
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
