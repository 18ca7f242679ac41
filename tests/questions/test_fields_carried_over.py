"""A fixed field's earlier values follow it into the preset question that replaces it: when
an event adds the dietary or accessibility preset, what active registrations wrote in the
fixed field becomes their answer (same unit of work), is counted by the summary, can be
changed on the private page, and each page shows it once. On SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import AuditEntry, Registration
from eventsapp.questions import services as questions
from eventsapp.registration.services import cancel_registration, register
from eventsapp.registration.validation import clean_registration
from tests.questions.conftest import event_by_slug

PERSON = {"given_name": "Siti", "family_name": "Rahman", "economy": "MAS",
          "organisation": "MITI", "sector": "government", "category": "delegate"}


@pytest.fixture
def event(plain_event):
    return plain_event


_event = event_by_slug


def _register(app, slug: str, n: int, **fields) -> tuple[int, str]:
    with app.app_context():
        done = register(_event(slug), clean_registration(
            {**PERSON, "email": f"p{n}@example.org", **fields}), notify=False)
        return done.registration.id, done.token


def _answers(app, reg_id: int) -> dict[int, str]:
    with app.app_context():
        return questions.answers_of(db.session.get(Registration, reg_id))


def test_adding_the_dietary_preset_carries_each_active_fixed_value_into_an_answer(
        app, event):
    veg, _ = _register(app, event, 1, dietary="  vegetarian ")
    halal, _ = _register(app, event, 2, dietary="HALAL")
    typed, _ = _register(app, event, 3, dietary="No  pork,  please")
    none, _ = _register(app, event, 4, dietary="")
    gone, _ = _register(app, event, 5, dietary="Vegan")
    with app.app_context():
        cancel_registration(db.session.get(Registration, gone), notify=False)
        added = questions.add_preset(_event(event), "dietary", user=None)
        diet = added[0].id
        assert added.carried_over == 3
    assert [_answers(app, r) for r in (veg, halal, typed, none, gone)] == [
        {diet: "Vegetarian"}, {diet: "Halal"}, {diet: "No pork, please"}, {}, {}]
    with app.app_context():
        reg = db.session.get(Registration, veg)
        assert reg.dietary == "  vegetarian ".strip()  # kept as the person wrote it
        entry = db.session.scalar(select(AuditEntry).where(
            AuditEntry.action == "answers_carried_over"))
        assert (entry.object_id, entry.details) == (diet, {
            "label": "Dietary needs", "field": "dietary", "count": 3})


def test_the_summary_counts_carried_over_answers(app, event):
    _register(app, event, 1, dietary="Vegetarian")
    _register(app, event, 2, dietary="no pork")
    with app.app_context():
        questions.add_preset(_event(event), "dietary", user=None)
        counts = {c.question.label: (dict(c.counts), c.answered)
                  for c in questions.choice_counts(_event(event))}
    assert counts["Dietary needs"] == ({
        "No special requirements": 0, "Vegetarian": 1, "Vegan": 0, "Halal": 0, "Kosher": 0,
        "Gluten-free": 0, "Lactose-free": 0, "Nut allergy": 0, "Other": 1}, 2)


def test_adding_the_accessibility_preset_carries_the_text_as_written(app, event):
    reg_id, _ = _register(app, event, 1, accessibility="Step-free access")
    with app.app_context():
        added = questions.add_preset(_event(event), "accessibility", user=None)
        access = added[0].id
        assert added.carried_over == 1
    assert _answers(app, reg_id) == {access: "Step-free access"}


def test_another_preset_carries_nothing(app, event):
    reg_id, _ = _register(app, event, 1, dietary="Vegetarian")
    with app.app_context():
        added = questions.add_preset(_event(event), "hotel", user=None)
        assert added.carried_over == 0
    assert _answers(app, reg_id) == {}


def test_the_flash_says_how_many_earlier_answers_were_carried_over(app, admin_client, event):
    _register(app, event, 1, dietary="Vegetarian")
    _register(app, event, 2, dietary="Kosher")
    response = admin_client.post(f"/admin/events/{event}/questions/presets",
                                 data={"preset": "dietary"}, follow_redirects=True)
    assert "Added: “Dietary needs”. 2 earlier answers carried over." in response.text
    audit = admin_client.get("/admin/audit").text
    assert "Question “Dietary needs”" in audit and "2 earlier answers carried over" in audit


def test_private_page_shows_the_carried_value_once_and_the_edit_form_can_change_it(
        app, client, event):
    reg_id, token = _register(app, event, 1, dietary="Vegetarian")
    with app.app_context():
        diet = questions.add_preset(_event(event), "dietary", user=None)[0].id
    page = client.get(f"/registrations/{token}").text
    assert re.findall(r"<dt>([^<]*)</dt><dd>Vegetarian</dd>", page) == ["Dietary needs"]
    edit = client.get(f"/registrations/{token}/edit").text
    assert re.findall(rf'name="q-{diet}" value="([^"]+)" checked', edit) == ["Vegetarian"]
    response = client.post(f"/registrations/{token}/edit", data={
        **PERSON, "email": "p1@example.org", f"q-{diet}": ["Halal"]})
    assert response.status_code == 303, response.text[:2000]
    assert _answers(app, reg_id) == {diet: "Halal"}
    page = client.get(f"/registrations/{token}").text
    assert re.findall(r"<dt>Dietary needs</dt><dd>([^<]*)</dd>", page) == ["Halal"]


def test_staff_page_shows_the_answer_not_a_second_field_and_saving_keeps_the_stored_value(
        app, admin_client, event):
    reg_id, _ = _register(app, event, 1, dietary="Vegetarian",
                          accessibility="Step-free access")
    with app.app_context():
        questions.add_preset(_event(event), "dietary", user=None)
    url = f"/admin/events/{event}/registrations/{reg_id}"
    names = set(re.findall(r'name="([^"]+)"', admin_client.get(url).text))
    assert ("dietary" in names, "accessibility" in names) == (False, True)
    response = admin_client.post(url, data={
        **PERSON, "family_name": "Rahman-Ali", "email": "p1@example.org",
        "accessibility": "Large print", "dietary": "Forged"})
    assert response.status_code == 303, response.text[:2000]
    with app.app_context():
        reg = db.session.get(Registration, reg_id)
        assert (reg.family_name, reg.dietary, reg.accessibility) == (
            "Rahman-Ali", "Vegetarian", "Large print")


def test_the_fixed_field_follows_the_answer_while_the_preset_is_asked(app, event):
    reg_id, _ = _register(app, event, 1, dietary="Vegetarian; nut allergy")
    with app.app_context():
        diet = questions.add_preset(_event(event), "dietary", user=None)[0].id
        reg = db.session.get(Registration, reg_id)
        questions.update_answers(reg, {str(diet): ["Halal", "Nut-free kitchen"]})
    with app.app_context():
        # Exports and letters read the field: it says what the person answered last.
        assert db.session.get(Registration, reg_id).dietary == "Halal; Nut-free kitchen"


def test_an_unchanged_save_leaves_the_typed_fixed_value_alone(app, event):
    reg_id, _ = _register(app, event, 1, dietary="  vegan ")
    with app.app_context():
        diet = questions.add_preset(_event(event), "dietary", user=None)[0].id
        reg = db.session.get(Registration, reg_id)
        assert questions.update_answers(reg, {str(diet): ["Vegan"]}) == []
    with app.app_context():
        assert db.session.get(Registration, reg_id).dietary == "vegan"


def test_the_preset_asked_again_starts_from_each_persons_latest_answer(app, event):
    typed_before, _ = _register(app, event, 1, dietary="Vegetarian; nut allergy")
    with app.app_context():
        first = questions.add_preset(_event(event), "dietary", user=None)[0]
        questions.update_answers(db.session.get(Registration, typed_before),
                                 {str(first.id): ["Vegetarian", "No shellfish"]})
    answered_after, _ = _register(app, event, 2)
    with app.app_context():
        questions.update_answers(db.session.get(Registration, answered_after),
                                 {str(first.id): ["Low FODMAP"]})
        questions.remove_question(db.session.get(type(first), first.id), user=None)
        again = questions.add_preset(_event(event), "dietary", user=None)
        assert again.carried_over == 2
        second = again[0].id
    assert _answers(app, typed_before)[second] == "Vegetarian\nNo shellfish"
    assert _answers(app, answered_after)[second] == "Low FODMAP"
