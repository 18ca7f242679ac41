"""The registrations list at scale: status tabs with counts, whitelisted sorting, pages, the
check-in column and filter, and a number of queries that does not grow with the event."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from eventsapp.admin.services import RegistrationQuery, list_registrations, status_counts
from eventsapp.checkin.services import check_in
from eventsapp.extensions import db
from eventsapp.models import CheckIn, Event, Registration
from eventsapp.registration.services import cancel_registration, register
from eventsapp.registration.validation import clean_registration

AFTER_THE_EVENT = datetime(2030, 3, 6, tzinfo=UTC)  # make_event's days: 4-5 March 2030
PEOPLE = [  # given, family, economy, category
    ("Ana", "Ruiz", "CHL", "delegate"), ("Ben", "Adams", "USA", "speaker"),
    ("Chen", "Wei", "PRC", "delegate"), ("Dewi", "Lestari", "INA", "observer"),
    ("Emi", "Sato", "JPN", "head_of_delegation"), ("Femi", "Zulu", None, "media"),
]


@pytest.fixture
def event_id(app, make_event):
    """Event "l", capacity 4: Ana–Dewi confirmed, Emi and Femi waiting; then Ben cancels
    (Emi is promoted) and Ana is checked in on the first day."""
    event_id = make_event(slug="l", capacity=4)
    with app.app_context():
        ev = db.session.get(Event, event_id)
        regs = [register(ev, trusted=True, data=clean_registration({
            "given_name": g, "family_name": f, "email": f"{g.lower()}@example.org",
            "economy": e or "", "category": c}), notify=False).registration
            for g, f, e, c in PEOPLE]
        cancel_registration(db.session.get(Registration, regs[1].id), notify=False)
        check_in(db.session.get(Registration, regs[0].id), date(2030, 3, 4), user=None,
                 now=AFTER_THE_EVENT)
        db.session.commit()
    return event_id


def names(html: str) -> list[str]:
    """The names of the rows, in the list's order."""
    return re.findall(r'href="/admin/events/l/registrations/\d+">([^<]+)</a>', html)


def test_status_tabs_count_what_the_other_filters_match(app, event_id, admin_client):
    html = admin_client.get("/admin/events/l/registrations").text
    tabs = re.findall(r'>(All|Confirmed|Waiting list|Cancelled) <span class="count">(\d+)<',
                      html)
    assert tabs == [("All", "6"), ("Confirmed", "4"), ("Waiting list", "1"), ("Cancelled", "1")]
    with app.app_context():
        ev = db.session.get(Event, event_id)
        assert status_counts(ev, RegistrationQuery(category="delegate")) == {
            "": 2, "pending": 0, "confirmed": 2, "waitlisted": 0, "declined": 0, "cancelled": 0}
        assert status_counts(ev, RegistrationQuery(q="ruiz", status="cancelled")) == {
            "": 1, "pending": 0, "confirmed": 1, "waitlisted": 0, "declined": 0, "cancelled": 0}


@pytest.mark.parametrize("sort,expected", [
    ("registered", ["Ana Ruiz", "Ben Adams", "Chen Wei", "Dewi Lestari", "Emi Sato",
                    "Femi Zulu"]),
    ("name", ["Ben Adams", "Dewi Lestari", "Ana Ruiz", "Emi Sato", "Chen Wei", "Femi Zulu"]),
    # APEC's order: Chile, China, Indonesia, Japan, United States; no economy last.
    ("economy", ["Ana Ruiz", "Chen Wei", "Dewi Lestari", "Emi Sato", "Ben Adams",
                 "Femi Zulu"]),
    ("category", ["Ana Ruiz", "Chen Wei", "Emi Sato", "Ben Adams", "Dewi Lestari",
                  "Femi Zulu"]),
    ("status", ["Ana Ruiz", "Chen Wei", "Dewi Lestari", "Emi Sato", "Femi Zulu",
                "Ben Adams"]),
    ("checkin", ["Ben Adams", "Chen Wei", "Dewi Lestari", "Emi Sato", "Femi Zulu",
                 "Ana Ruiz"]),
    ("email", ["Ana Ruiz", "Ben Adams", "Chen Wei", "Dewi Lestari", "Emi Sato",
               "Femi Zulu"]),
])
def test_every_sortable_column_sorts_both_ways(admin_client, event_id, sort, expected):
    up = admin_client.get(f"/admin/events/l/registrations?sort={sort}")
    assert names(up.text) == expected
    assert 'aria-sort="ascending"' in up.text
    down = admin_client.get(f"/admin/events/l/registrations?sort={sort}&dir=desc")
    assert names(down.text) == list(reversed(expected))
    assert 'aria-sort="descending"' in down.text


@pytest.mark.parametrize("query,field", [
    ("sort=password_hash", "Sort by"), ("sort=id;drop", "Sort by"), ("dir=sideways", "Order"),
    ("per_page=7", "Rows per page"), ("per_page=abc", "Rows per page"), ("page=0", "Page"),
    ("checked_in=maybe", "Checked in"), ("status=bogus", "Status"),
])
def test_values_outside_the_whitelists_are_422_naming_the_field(admin_client, event_id, query,
                                                                 field):
    response = admin_client.get(f"/admin/events/l/registrations?{query}")
    assert response.status_code == 422
    assert f">{field}: " in response.text


def test_pages_of_25_and_a_page_past_the_end_shows_the_last(app, make_event, admin_client):
    event_id = make_event(slug="l", capacity=None)
    with app.app_context():
        ev = db.session.get(Event, event_id)
        for i in range(60):
            register(ev, clean_registration({"given_name": f"N{i:02d}", "family_name": "X",
                                             "email": f"n{i}@example.org"}), notify=False)
    third = admin_client.get("/admin/events/l/registrations?per_page=25&page=3").text
    assert names(third) == [f"N{i:02d} X" for i in range(50, 60)]
    assert "51–60 of 60" in third
    assert 'href="/admin/events/l/registrations?per_page=25&amp;page=2" rel="prev"' in third
    assert names(admin_client.get(
        "/admin/events/l/registrations?per_page=25&page=99").text) == names(third)
    first = admin_client.get("/admin/events/l/registrations").text
    assert len(names(first)) == 50
    assert 'aria-label="Page 2"' in first


def test_check_in_column_and_filter(admin_client, event_id):
    html = admin_client.get("/admin/events/l/registrations").text
    row = html.split(">Ana Ruiz</a>")[1].split("</tr>")[0]
    assert '<span aria-hidden="true">✓ </span>4 Mar' in row
    assert names(admin_client.get("/admin/events/l/registrations?checked_in=yes").text) == [
        "Ana Ruiz"]
    assert "Ana Ruiz" not in names(
        admin_client.get("/admin/events/l/registrations?checked_in=no").text)


def test_the_list_costs_the_same_queries_for_10_or_200_registrations(app, make_event):
    counts = []
    for n in (10, 200):
        event_id = make_event(capacity=None)
        with app.app_context():
            ev = db.session.get(Event, event_id)
            for i in range(n):
                register(ev, clean_registration({"given_name": f"G{i}", "family_name": "F",
                                                 "email": f"g{i}-{n}@example.org"}),
                         notify=False)
            for reg in db.session.scalars(select(Registration).where(
                    Registration.event_id == event_id).limit(5)):
                db.session.add(CheckIn(registration_id=reg.id, day=date(2030, 3, 4)))
            db.session.commit()
            ev = db.session.get(Event, event_id)
            assert ev.slug  # loaded before counting
            statements = []

            def count(*_args, **_kwargs):
                statements.append(1)

            sa_event.listen(db.engine, "before_cursor_execute", count)
            try:
                page = list_registrations(ev, RegistrationQuery(sort="checkin", per_page=50))
            finally:
                sa_event.remove(db.engine, "before_cursor_execute", count)
            assert len(page.rows) == min(n, 50)
            assert sum(len(days) for days in page.checkins.values()) == (5 if n == 10 else 0)
            counts.append(len(statements))
    # Counts, the page's rows, the page's check-ins (and SQLite's BEGIN).
    assert counts[0] == counts[1] <= 4
