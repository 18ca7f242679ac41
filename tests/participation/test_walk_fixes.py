"""Findings of the fresh tester's walk of a hybrid CTWG 16 (issue 17)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from eventsapp.events.editing import EventError
from eventsapp.extensions import db
from eventsapp.letters import services as letters
from eventsapp.models import Event, OnlineAttendance, Registration
from eventsapp.participation import services as participation
from eventsapp.registration import services
from tests.registration.conftest import person


def hybrid(app, make_event) -> int:
    eid = make_event(capacity=None)
    with app.app_context():
        ev = db.session.get(Event, eid)
        settings = participation.ParticipationSettings.of(ev)
        settings.participation_mode = "hybrid"
        settings.capacity_in_person, settings.capacity_online = 10, 5
        settings.online_url = "https://meet.example.org/ctwg"
        participation.update_participation(ev, settings, user=None)
    return eid


def test_leaving_hybrid_is_refused_while_someone_takes_part_the_other_way(app, make_event):
    """A click on "In person" made four online participants in-person people, silently and
    for good."""
    eid = hybrid(app, make_event)
    with app.app_context():
        online = services.register(db.session.get(Event, eid),
                                   person(given_name="Bo", family_name="Chen",
                                          participation="online"), notify=False).registration
        ev = db.session.get(Event, eid)
        settings = participation.ParticipationSettings.of(ev)
        settings.participation_mode = "in_person"
        with pytest.raises(EventError) as exc:
            participation.update_participation(ev, settings, user=None)
        assert exc.value.errors["participation_mode"][0].startswith(
            "1 person takes part online (Bo Chen).")
        assert db.session.get(Registration, online.id).participation == "online"
        assert db.session.get(Event, eid).participation_mode == "hybrid"


def test_an_http_meeting_link_is_refused(app, make_event):
    eid = make_event()
    with app.app_context():
        settings = participation.ParticipationSettings.of(db.session.get(Event, eid))
        settings.participation_mode, settings.online_url = "online", "http://insecure.example/x"
        with pytest.raises(EventError) as exc:
            participation.clean_settings(settings)
        assert exc.value.errors["online_url"] == [
            "Give the full meeting link, starting with https://."]


def test_online_participants_get_no_visa_letter_but_a_certificate_for_online_attendance(
        app, make_event):
    eid = hybrid(app, make_event)
    with app.app_context():
        reg = services.register(db.session.get(Event, eid), person(
            given_name="Ana", family_name="Lima", participation="online"),
            notify=False).registration
        assert letters.refusal(reg, "visa") == (
            "Ana Lima takes part online: a visa support letter is for travelling to the "
            "meeting.")
        assert letters.refusal(reg, "certificate").startswith("Ana Lima: a certificate")
        db.session.add(OnlineAttendance(registration_id=reg.id,
                                        day=db.session.get(Event, eid).start_date, minutes=95))
        db.session.commit()
        after = datetime(2030, 3, 6, tzinfo=UTC)  # the event (4-5 March 2030) is over
        assert letters.refusal(db.session.get(Registration, reg.id), "certificate",
                               after) is None
        assert [r.id for r in letters.eligible(db.session.get(Event, eid), "certificate",
                                               after)] == [reg.id]
