"""No question asked twice: when the event asks the dietary or accessibility preset, the
registrant's forms and the staff's pages leave out the fixed field of the same name; what
is stored there stays, and was carried into the question's answer when it was added. On
SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import Question, Registration
from eventsapp.questions import services as questions
from eventsapp.registration.services import register
from eventsapp.registration.validation import clean_registration
from tests.questions.conftest import event_by_slug

PERSON = {"given_name": "Siti", "family_name": "Rahman", "email": "siti@example.org",
          "economy": "MAS", "organisation": "MITI", "sector": "government",
          "category": "delegate"}


@pytest.fixture
def event(plain_event):
    return plain_event


_event = event_by_slug


def add_preset(app, slug: str, key: str) -> int:
    with app.app_context():
        return questions.add_preset(_event(slug), key, user=None)[0].id


def field_names(html: str) -> set[str]:
    return set(re.findall(r'name="([^"]+)"', html))


def test_no_preset_asked_leaves_both_fixed_fields(app, event):
    add_preset(app, event, "hotel")
    with app.app_context():
        assert questions.fields_asked_as_questions(_event(event)) == frozenset()


def test_each_preset_asked_of_everyone_names_its_fixed_field(app, event):
    add_preset(app, event, "dietary")
    with app.app_context():
        assert questions.fields_asked_as_questions(_event(event)) == {"dietary"}
    add_preset(app, event, "accessibility")
    with app.app_context():
        assert questions.fields_asked_as_questions(_event(event)) == {"dietary",
                                                                       "accessibility"}


def test_a_preset_asked_of_some_categories_or_removed_does_not_hide_the_field(app, event):
    diet = add_preset(app, event, "dietary")
    access = add_preset(app, event, "accessibility")
    with app.app_context():
        ev = _event(event)
        q = db.session.get(Question, diet)
        questions.update_question(q, questions.clean_question(ev, {
            "label": q.label, "type": q.kind, "choices": list(q.choices),
            "allow_other": True, "categories": ["speaker"]}, question=q), user=None)
        questions.remove_question(db.session.get(Question, access), user=None)
        assert questions.fields_asked_as_questions(_event(event)) == frozenset()


def test_registration_form_leaves_out_the_field_asked_as_a_question(app, client, event):
    before = field_names(client.get(f"/events/{event}/register").text)
    assert {"dietary", "accessibility"} <= before
    diet = add_preset(app, event, "dietary")
    after = field_names(client.get(f"/events/{event}/register").text)
    assert before - after == {"dietary"}
    assert after - before == {f"q-{diet}", f"q-{diet}-other"}


def test_a_posted_value_for_a_left_out_field_is_not_stored(app, client, event):
    diet = add_preset(app, event, "dietary")
    response = client.post(f"/events/{event}/register", data={
        **PERSON, "dietary": "Typed into a forged form", f"q-{diet}": ["Halal"]})
    assert response.status_code == 303
    with app.app_context():
        reg = db.session.scalar(select(Registration))
        # Not the forged text: the field holds the answer while the preset is asked.
        assert (reg.dietary, questions.answers_of(reg)) == ("Halal", {diet: "Halal"})


def test_delegation_form_leaves_the_field_out_for_the_head_and_every_delegate(
        app, client, event):
    add_preset(app, event, "accessibility")
    names = field_names(client.get(f"/events/{event}/register/delegation").text)
    assert sorted(n for n in names if n.endswith("accessibility")) == []
    assert "members-0-dietary" in names
    assert "dietary" in names


def test_private_page_edit_keeps_the_stored_value_and_staff_see_it_as_the_answer(
        app, client, admin_client, event):
    with app.app_context():
        done = register(_event(event), clean_registration({
            **PERSON, "dietary": "Vegetarian", "accessibility": "Step-free access"}),
            notify=False)
        token, reg_id = done.token, done.registration.id
    diet = add_preset(app, event, "dietary")
    page = client.get(f"/registrations/{token}/edit")
    assert "dietary" not in field_names(page.text)
    assert "accessibility" in field_names(page.text)
    response = client.post(f"/registrations/{token}/edit", data={
        **PERSON, "family_name": "Rahman-Ali", "accessibility": "Step-free access",
        f"q-{diet}": ["Vegetarian"]})
    assert response.status_code == 303, response.text[:2000]
    with app.app_context():
        reg = db.session.get(Registration, reg_id)
        assert (reg.family_name, reg.dietary, reg.accessibility) == (
            "Rahman-Ali", "Vegetarian", "Step-free access")
    staff = admin_client.get(f"/admin/events/{event}/registrations/{reg_id}").text
    assert "dietary" not in field_names(staff)
    assert re.findall(r"<dt>Dietary needs</dt><dd>([^<]*)</dd>", staff) == ["Vegetarian"]


def test_head_of_delegation_form_for_a_new_member_leaves_the_field_out(app, client, event):
    with app.app_context():
        head = register(_event(event), clean_registration({
            **PERSON, "category": "head_of_delegation"}), notify=False, trusted=True)
        token = head.token
    assert "new-dietary" in field_names(client.get(f"/registrations/{token}/delegation").text)
    add_preset(app, event, "dietary")
    names = field_names(client.get(f"/registrations/{token}/delegation").text)
    assert ("new-dietary" in names, "new-accessibility" in names) == (False, True)


def test_staff_delegation_form_leaves_out_the_field_like_the_public_delegation_form(
        app, admin_client, event):
    url = f"/admin/events/{event}/delegations/MAS"
    page = admin_client.get(url).text
    assert re.findall(r'<label for="new-dietary">\s*([^<(]+?)\s*[<(]', page) == ["Dietary needs"]
    add_preset(app, event, "dietary")
    names = field_names(admin_client.get(url).text)
    assert ("new-dietary" in names, "new-accessibility" in names) == (False, True)
    response = admin_client.post(f"{url}/register", data={
        "new-given_name": "Aminah", "new-family_name": "Yusof",
        "new-email": "aminah@example.org", "new-organisation": "MITI",
        "new-sector": "government", "new-category": "delegate",
        "new-dietary": "Typed into a forged form", "new-accessibility": "Large print"})
    assert response.status_code == 303, response.text[:2000]
    with app.app_context():
        reg = db.session.scalar(select(Registration))
        assert (reg.full_name, reg.economy, reg.dietary, reg.accessibility) == (
            "Aminah Yusof", "MAS", "", "Large print")


def test_the_extras_heading_speaks_of_needs_only_while_the_form_asks_them(app, client, event):
    assert "<legend>Badge and needs</legend>" in client.get(f"/events/{event}/register").text
    add_preset(app, event, "dietary")
    add_preset(app, event, "accessibility")
    page = client.get(f"/events/{event}/register").text
    assert ("<legend>Badge and listing</legend>" in page, "Badge and needs" in page) == (
        True, False)
