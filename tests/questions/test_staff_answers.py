"""Staff correct a registrant's answers (walk finding: a secretariat officer taking a phone
call could not), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from eventsapp.accreditation import services as accreditation
from eventsapp.admin.audit_text import actor_label, describe
from eventsapp.extensions import db
from eventsapp.models import Answer, AuditEntry, Event, Registration, User
from eventsapp.privacy import services as privacy
from eventsapp.questions import services as questions
from eventsapp.registration import services as registrations
from tests.auth.fixtures import sign_in
from tests.support import table_checksums

PERSON = {"given_name": "Siti", "family_name": "Rahman", "email": "siti@example.org",
          "economy": "MAS", "organisation": "MITI"}


def register(client, event) -> int:
    v = event["visa"]
    response = client.post(f"/api/v1/events/{event['slug']}/registrations", json={
        **PERSON, "answers": {str(v[0]): True, str(v[1]): "Malaysian",
                              str(v[2]): "A12345678", str(v[3]): "2100-01-31",
                              str(v[4]): "1985-02-03",
                              str(event["diet"]): ["Halal", "Nut allergy"]}})
    assert response.status_code == 201, response.get_json()
    manage_url = response.get_json()["manage_url"]
    token = manage_url.rsplit("/", 1)[1]
    with client.application.app_context():
        return registrations.find_by_token(token).id


def form(event, **changes) -> dict:
    """The staff form as the stored answers fill it, with `changes` (field: value)."""
    v = event["visa"]
    data = {f"q-{v[0]}": "yes", f"q-{v[1]}": "Malaysian", f"q-{v[2]}": "A12345678",
            f"q-{v[3]}": "2100-01-31", f"q-{v[4]}": "1985-02-03",
            f"q-{event['diet']}": ["Halal", "Nut allergy"], f"q-{event['diet']}-other": ""}
    data.update(changes)
    return data


def url(event, reg_id: int) -> str:
    return f"/admin/events/{event['slug']}/registrations/{reg_id}/answers"


def stored(app, reg_id: int) -> dict[int, str]:
    with app.app_context():
        return dict(db.session.execute(select(Answer.question_id, Answer.value).where(
            Answer.registration_id == reg_id)).all())


def answer_entries(app, reg_id: int) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "answers_changed", AuditEntry.object_id == reg_id)))


def test_registration_page_links_to_editing_its_answers(client, admin_client, event):
    reg_id = register(client, event)
    page = admin_client.get(f"/admin/events/{event['slug']}/registrations/{reg_id}").text
    assert (f'<a href="{url(event, reg_id)}">Edit answers<span class="visually-hidden"> of '
            'Siti Rahman</span></a>') in page


def test_staff_change_answers_and_the_audit_names_the_questions_changed(
        app, client, admin_client, event):
    reg_id = register(client, event)
    v = event["visa"]
    page = admin_client.get(url(event, reg_id))
    assert page.status_code == 200
    assert 'value="A12345678"' in page.text
    response = admin_client.post(url(event, reg_id), data=form(
        event, **{f"q-{v[2]}": "B7654321", f"q-{event['diet']}": ["Vegetarian"]}))
    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"/admin/events/{event['slug']}/registrations/{reg_id}")
    assert ("Answers saved: “Passport number”, “Dietary needs”."
            in admin_client.get(response.headers["Location"]).text)
    answers = stored(app, reg_id)
    assert (answers[v[2]], answers[event["diet"]]) == ("B7654321", "Vegetarian")
    entries = answer_entries(app, reg_id)
    assert [(e.details["labels"], e.details["questions"]) for e in entries] == [
        (["Passport number", "Dietary needs"], sorted([v[2], event["diet"]]))]
    with app.app_context():
        email = db.session.get(User, entries[0].user_id).email
    line = describe("answers_changed", "Registration", reg_id, entries[0].details,
                    subject="Siti Rahman", by=actor_label(email, entries[0].actor))
    assert (line.subject, line.what, line.by, line.notes) == (
        "Siti Rahman", "answers changed", email,
        ("Changed: “Passport number”; “Dietary needs”.",))


def test_staff_saving_answers_unchanged_writes_nothing(app, client, admin_client, event):
    reg_id = register(client, event)
    before = table_checksums(app.config["SQLALCHEMY_DATABASE_URI"])
    response = admin_client.post(url(event, reg_id), data=form(event))
    assert response.status_code == 303
    assert "Nothing changed." in admin_client.get(response.headers["Location"]).text
    assert table_checksums(app.config["SQLALCHEMY_DATABASE_URI"]) == before
    assert answer_entries(app, reg_id) == []


@pytest.mark.parametrize("change, message", [
    ({"passport": ""}, "Passport number: Answer this question."),
    ({"expiry": "2099-08-05"},
     "Passport expiry date: Give a date after the event's last day (2099-08-06)."),
    ({"passport": "x" * 201},
     "Passport number: The answer must be at most 200 characters long (it has 201)."),
    ({"visa": "maybe"}, "I need a visa support letter: Answer yes or no."),
])
def test_staff_answers_are_checked_like_the_registrants_and_nothing_is_saved(
        app, client, admin_client, event, change, message):
    reg_id = register(client, event)
    v = event["visa"]
    fields = {"visa": v[0], "passport": v[2], "expiry": v[3]}
    before = stored(app, reg_id)
    response = admin_client.post(url(event, reg_id), data=form(
        event, **{f"q-{fields[k]}": value for k, value in change.items()}))
    assert response.status_code == 422
    assert f"<li>{message}</li>" in response.text.replace("&#39;", "'")
    assert stored(app, reg_id) == before
    assert answer_entries(app, reg_id) == []


def test_staff_change_answers_after_the_registrants_cut_off(app, client, admin_client, event):
    reg_id = register(client, event)
    with app.app_context():
        questions.set_answers_until(db.session.get(Event, event["id"]), date(2020, 1, 1),
                                    user=None)
    response = admin_client.post(url(event, reg_id), data=form(
        event, **{f"q-{event['diet']}": ["Kosher"]}))
    assert response.status_code == 303
    assert stored(app, reg_id)[event["diet"]] == "Kosher"


def _cancel(app, reg_id, admin):
    registrations.cancel_registration(db.session.get(Registration, reg_id), user=admin)


def _anonymise(app, reg_id, admin):
    request = privacy.request_erasure(db.session.get(Registration, reg_id))
    privacy.confirm_erasure(request, by=admin)


@pytest.mark.parametrize("how, message", [
    (_cancel, "A cancelled registration&#39;s answers cannot be changed."),
    (_anonymise, "This registration has been anonymised: its answers were erased and "
                 "cannot be changed."),
])
def test_answers_of_a_cancelled_or_anonymised_registration_are_refused_with_409(
        app, client, admin_client, event, make_user, how, message):
    reg_id = register(client, event)
    email = make_user("admin")
    with app.app_context():
        how(app, reg_id, db.session.scalar(select(User).where(User.email == email)))
    before = stored(app, reg_id)
    assert admin_client.get(url(event, reg_id)).status_code == 409
    response = admin_client.post(url(event, reg_id), data=form(event))
    assert response.status_code == 409
    assert message in response.text
    assert stored(app, reg_id) == before
    assert answer_entries(app, reg_id) == []
    page = admin_client.get(f"/admin/events/{event['slug']}/registrations/{reg_id}").text
    assert url(event, reg_id) not in page


def test_answers_of_a_declined_registration_are_refused_with_409(
        app, client, admin_client, make_event, make_user):
    event_id = make_event(registration_mode="approval")
    email = make_user("admin")
    with app.app_context():
        ev = db.session.get(Event, event_id)
        hotel = questions.add_question(ev, questions.clean_question(ev, {
            "label": "Hotel", "type": "text"}), user=None).id
        slug = ev.slug
    response = client.post(f"/api/v1/events/{slug}/registrations",
                           json={**PERSON, "answers": {str(hotel): "Hilton"}})
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        reg = db.session.scalar(select(Registration).where(Registration.event_id == event_id))
        assert reg.status == "pending"
        accreditation.decline(reg, user=db.session.scalar(select(User).where(
            User.email == email)), reason="Quota reached", notify=False)
        reg_id = reg.id
    response = admin_client.post(f"/admin/events/{slug}/registrations/{reg_id}/answers",
                                 data={f"q-{hotel}": "Ritz"})
    assert response.status_code == 409
    assert "A declined registration&#39;s answers cannot be changed." in response.text
    assert stored(app, reg_id) == {hotel: "Hilton"}


def test_an_organiser_of_another_event_cannot_open_or_change_answers(
        app, client, event, make_event, make_user):
    reg_id = register(client, event)
    make_event(slug="elsewhere")
    other = app.test_client()
    assert sign_in(other, make_user("organiser", events=("elsewhere",))).status_code == 303
    assert other.get(url(event, reg_id)).status_code == 403
    assert other.post(url(event, reg_id), data=form(
        event, **{f"q-{event['diet']}": ["Kosher"]})).status_code == 403
    mine = app.test_client()
    assert sign_in(mine, make_user("organiser", events=(event["slug"],))).status_code == 303
    assert mine.get(url(event, reg_id)).status_code == 200
    # Another event's registration is not found through this event's address.
    assert mine.get(f"/admin/events/elsewhere/registrations/{reg_id}/answers").status_code in (
        403, 404)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "answers_changed")) == 0
