"""Name search at the check-in desk and in the organisers' list: case- and accent-free in
every script of the region, the same on SQLite and PostgreSQL (issue 14, item 8)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from eventsapp.admin.services import search_registrations
from eventsapp.checkin.services import search_by_name
from eventsapp.extensions import db
from eventsapp.models import Event, Registration
from eventsapp.registration.services import register, update_registration
from eventsapp.registration.validation import clean_registration
from tests.checkin.factories import login, make_registration, make_user

PEOPLE = [
    ("Álvaro", "NÚÑEZ", ""),
    ("Somchai", "Jaidee", "สมชาย ใจดี"),
    ("Li", "Xiaolong", "李小龍"),
    ("Ivan", "Petrov", "Иван Петров"),
    ("Minh Khai", "Nguyễn Thị", ""),
    ("Văn", "Đặng", ""),
    ("Hanako", "Sato", "佐藤 花子"),
    ("Min-jun", "Kim", "김민준"),
    ("Zoë", "Łukasz", ""),
    ("Ｔａｒｏ", "Yamada", "山田 太郎"),
]

SEARCHES = [
    ("NÚÑEZ", ["Álvaro NÚÑEZ"]),
    ("núñez", ["Álvaro NÚÑEZ"]),
    ("nunez", ["Álvaro NÚÑEZ"]),
    ("NUNEZ", ["Álvaro NÚÑEZ"]),
    ("Álvaro", ["Álvaro NÚÑEZ"]),
    ("alvaro", ["Álvaro NÚÑEZ"]),
    ("ALVARO núnez", ["Álvaro NÚÑEZ"]),
    ("Nun\u0303ez", ["Álvaro NÚÑEZ"]),  # typed decomposed (NFD)
    ("สมชาย", ["Somchai Jaidee"]),
    ("ใจดี", ["Somchai Jaidee"]),
    ("小龍", ["Li Xiaolong"]),
    ("李", ["Li Xiaolong"]),
    ("иван", ["Ivan Petrov"]),
    ("ПЕТРОВ", ["Ivan Petrov"]),
    ("nguyen", ["Minh Khai Nguyễn Thị"]),
    ("NGUYỄN thi", ["Minh Khai Nguyễn Thị"]),
    ("dang van", ["Văn Đặng"]),
    ("Đặng", ["Văn Đặng"]),
    ("佐藤", ["Hanako Sato"]),
    ("김민준", ["Min-jun Kim"]),
    ("민준", ["Min-jun Kim"]),
    ("zoe lukasz", ["Zoë Łukasz"]),
    ("taro", ["Ｔａｒｏ Yamada"]),  # full-width letters as typed on a Japanese keyboard
    ("ＹＡＭＡＤＡ", ["Ｔａｒｏ Yamada"]),
    ("nobody", []),
    ("%", []),
    ("_", []),
]


@pytest.fixture
def people_event(app, make_event):
    eid = make_event(slug="s", capacity=None)
    with app.app_context():
        ev = db.session.get(Event, eid)
        for i, (given, family, native) in enumerate(PEOPLE):
            register(ev, clean_registration({
                "given_name": given, "family_name": family, "native_name": native,
                "email": f"p{i}@example.org"}), notify=False)
    return eid


def names(regs) -> list[str]:
    return sorted(r.full_name for r in regs)


@pytest.mark.parametrize("query, expected", SEARCHES)
def test_check_in_search_ignores_case_and_accents_in_every_script(app, people_event, query,
                                                                  expected):
    with app.app_context():
        assert names(search_by_name(db.session.get(Event, people_event), query)) == expected


@pytest.mark.parametrize("query, expected", SEARCHES)
def test_organiser_search_ignores_case_and_accents_in_every_script(app, people_event, query,
                                                                   expected):
    with app.app_context():
        found = search_registrations(db.session.get(Event, people_event), q=query)
        assert names(found) == expected


@pytest.mark.parametrize("query", ["NÚÑEZ", "núñez", "nunez", "Álvaro", "alvaro"])
def test_desk_and_list_pages_find_alvaro_nunez(app, people_event, query):
    desk = app.test_client()
    login(app, desk, make_user(app, "checkin"))
    page = desk.post("/admin/events/s/checkin", data={"code": query}).text
    assert re.findall(r"<strong>(.*?)</strong>", page) == ["Álvaro NÚÑEZ"]
    admin = app.test_client()
    login(app, admin, make_user(app, "admin"))
    listing = admin.get("/admin/events/s/registrations", query_string={"q": query}).text
    assert len(re.findall(r'/admin/events/s/registrations/\d+"', listing)) == 1
    assert "Álvaro" in listing


def test_the_key_follows_a_changed_name(app, people_event):
    with app.app_context():
        ev = db.session.get(Event, people_event)
        reg = db.session.scalar(select(Registration).where(Registration.family_name == "Kim"))
        update_registration(reg, clean_registration({
            "given_name": "Min-jun", "family_name": "Kím", "badge_name": "Dr Kím",
            "email": reg.email}))
        assert reg.search_key == "min-jun kim dr kim"
        assert names(search_by_name(ev, "kim dr")) == ["Min-jun Kím"]


def test_rows_written_through_the_orm_get_their_key(app, people_event):
    make_registration(app, people_event, "Chloé", "Ñandú", native_name="Шарль")
    with app.app_context():
        ev = db.session.get(Event, people_event)
        assert names(search_by_name(ev, "chloe nandu шарль")) == ["Chloé Ñandú"]
        db.session.execute(update(Registration).values(search_key=""))  # not via the ORM
        db.session.commit()
        assert names(search_by_name(ev, "chloe")) == []
