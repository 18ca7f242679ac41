"""The figures of one event and the List of Participants, counted from a known data set."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import Event
from eventsapp.reference import ECONOMIES
from eventsapp.reports.participants import list_of_participants
from eventsapp.reports.queries import DayCount, event_summary, sort_key

from . import dataset
from .dataset import KL, registration


def _event():
    return db.session.scalar(select(Event).where(Event.slug == dataset.SLUG))


def test_event_summary_counts_statuses_and_capacity(app, data):
    with app.app_context():
        s = event_summary(_event())
    assert (s.capacity, s.confirmed, s.waitlisted, s.cancelled) == (
        dataset.CAPACITY, dataset.CONFIRMED, dataset.WAITLISTED, dataset.CANCELLED)
    assert s.fill_percent == 100
    assert s.places_left == 0


def test_event_summary_lists_all_21_economies_in_apec_order_with_zeros(app, data):
    with app.app_context():
        s = event_summary(_event())
    assert [c.key for c in s.by_economy] == list(ECONOMIES)
    assert {c.key: c.count for c in s.by_economy} == {
        code: dataset.BY_ECONOMY.get(code, 0) for code in ECONOMIES}
    assert s.economies_represented == 4


def test_event_summary_groups_registrations_without_economy_by_organisation(app, data):
    with app.app_context():
        s = event_summary(_event())
    assert {c.label: c.count for c in s.organisations} == dataset.ORGANISATIONS
    assert [c.label for c in s.organisations] == ["ICAO", "UNOCT"]


def test_event_summary_counts_sector_and_category_of_confirmed_only(app, data):
    with app.app_context():
        s = event_summary(_event())
    assert {c.label: c.count for c in s.by_sector} == dataset.BY_SECTOR
    assert {c.label: c.count for c in s.by_category} == dataset.BY_CATEGORY


def test_event_summary_counts_check_ins_per_local_day(app, data):
    with app.app_context():
        s = event_summary(_event())
    assert s.attendance == tuple(DayCount(d, n) for d, n in dataset.ATTENDANCE.items())
    assert s.attended == dataset.ATTENDED


def test_fill_over_time_counts_held_registrations_at_end_of_each_day(app, data):
    with app.app_context():
        s = event_summary(_event())
    held = {p.day: p.count for p in s.fill}
    assert s.fill_step_days == 1
    assert (s.fill[0].day, s.fill[-1].day) == (date(2020, 1, 10), date(2020, 1, 25))
    assert len(s.fill) == 16
    assert [held[date(2020, 1, d)] for d in (10, 11, 12, 14, 15, 19, 20, 24, 25)] == [
        4, 8, 10, 10, 9, 9, 11, 11, 10]


def test_fill_over_time_switches_to_weeks_for_long_periods(app, make_event):
    event_id = make_event()
    with app.app_context():
        start = datetime(2029, 1, 1, 12, tzinfo=KL)
        for n in range(3):
            db.session.add(registration(event_id, f"p{n}", given="A", family=f"B{n}",
                                        created=start + timedelta(days=30 * n)))
        db.session.commit()
        s = event_summary(db.session.get(Event, event_id))
    assert s.fill_step_days == 7
    assert [(p.day, p.count) for p in s.fill][:2] == [(date(2029, 1, 7), 1), (date(2029, 1, 14), 1)]
    assert (s.fill[-1].day, s.fill[-1].count) == (date(2029, 3, 2), 3)


def test_agenda_as_held_keeps_cancelled_items_marked(app, data):
    with app.app_context():
        s = event_summary(_event())
    assert [(a.title, a.cancelled) for a in s.agenda if a.cancelled] == [
        (dataset.CANCELLED_ITEM, True)]
    assert len(s.agenda) == 5
    assert [a.day for a in s.agenda] == sorted(a.day for a in s.agenda)


def test_list_of_participants_is_in_protocol_order(app, data):
    with app.app_context():
        lop = list_of_participants(_event())
    assert [(g.heading, [p.name for p in g.participants]) for g in lop.groups] == (
        dataset.LOP_ORDER)
    assert lop.groups[0].participants[0].is_head
    assert lop.count == dataset.CONFIRMED


def test_public_list_keeps_only_consenting_people_and_no_email(app, data):
    with app.app_context():
        lop = list_of_participants(_event(), public=True)
    assert [(g.heading, [p.name for p in g.participants]) for g in lop.groups] == (
        dataset.PUBLIC_LOP_ORDER)
    assert {p.email for g in lop.groups for p in g.participants} == {""}


def test_the_head_of_delegation_comes_first(app, make_event):
    event_id = make_event()
    with app.app_context():
        for key, family, category in (("a", "Able", "delegate"),
                                      ("z", "Zulu", "head_of_delegation"),
                                      ("m", "Mike", "delegate")):
            db.session.add(registration(event_id, key, given="X", family=family,
                                        economy="NZ", category=category))
        db.session.commit()
        lop = list_of_participants(db.session.get(Event, event_id))
    assert [p.name for p in lop.groups[0].participants] == ["X ZULU", "X ABLE", "X MIKE"]


def test_list_of_participants_writes_names_as_protocol_does(app, make_event):
    event_id = make_event()
    with app.app_context():
        head = registration(event_id, "o", given="Olivia", family="Hartley", economy="AUS",
                            category="head_of_delegation")
        head.honorific, head.job_title = "H.E. Ms", "Ambassador"
        db.session.add(head)
        db.session.commit()
        [p] = list_of_participants(db.session.get(Event, event_id)).groups[0].participants
    assert (p.name, p.job_title, p.is_head) == ("H.E. Ms Olivia HARTLEY", "Ambassador", True)


def test_sort_key_ignores_case_and_accents():
    assert sorted(["Łukasz", "lopez", "Lima", "Ñúñez", "nadal"], key=sort_key) == [
        "Lima", "lopez", "Łukasz", "nadal", "Ñúñez"]
