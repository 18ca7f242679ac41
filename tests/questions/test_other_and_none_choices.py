"""The dietary preset's choices are checked, not silently trimmed: "No special
requirements" excludes the others, "Other" ticked needs its text, and text typed under
Other without ticking it counts as ticking it. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eventsapp.extensions import db
from eventsapp.models import Event, Registration
from eventsapp.questions import services as questions
from eventsapp.questions.forms import OTHER_VALUE

PERSON = {"given_name": "Siti", "family_name": "Rahman", "email": "siti@example.org",
          "economy": "MAS", "organisation": "MITI", "sector": "government",
          "category": "delegate"}
EXCLUDES = "“No special requirements” excludes the others: untick it, or untick the others."


@pytest.fixture
def event(app, make_event):
    event_id = make_event()
    with app.app_context():
        ev = db.session.get(Event, event_id)
        diet = questions.add_preset(ev, "dietary", user=None)[0].id
        menu = questions.add_question(ev, questions.clean_question(ev, {
            "label": "Lunch", "type": "choice", "choices": ["Fish", "Chicken"],
            "allow_other": True}), user=None).id
        return {"slug": ev.slug, "id": event_id, "diet": diet, "menu": menu}


def _post(client, event, **answers):
    return client.post(f"/events/{event['slug']}/register", data={**PERSON, **answers})


def _stored(app) -> dict[int, str] | None:
    with app.app_context():
        reg = db.session.scalar(select(Registration))
        return None if reg is None else questions.answers_of(reg)


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Registration))


def test_no_special_requirements_with_another_choice_is_refused(app, client, event):
    response = _post(client, event, **{f"q-{event['diet']}": [
        "No special requirements", "Vegan"]})
    assert (response.status_code, EXCLUDES in response.text) == (422, True)
    assert _count(app) == 0


def test_no_special_requirements_with_typed_other_is_refused_by_the_api_too(app, event):
    with app.app_context():
        ev = db.session.get(Event, event["id"])
        with pytest.raises(questions.QuestionError) as refused:
            questions.clean_answers(ev, questions.questions_of(ev), {
                str(event["diet"]): ["No special requirements", "No pork"]},
                category="delegate")
    assert refused.value.errors == {str(event["diet"]): [EXCLUDES]}


def test_no_special_requirements_alone_is_stored(app, client, event):
    response = _post(client, event, **{f"q-{event['diet']}": ["No special requirements"]})
    assert response.status_code == 303, response.text[:2000]
    assert _stored(app) == {event["diet"]: "No special requirements"}


def test_other_ticked_with_nothing_typed_is_refused_not_dropped(app, client, event):
    response = _post(client, event, **{f"q-{event['diet']}": ["Halal", OTHER_VALUE],
                                       f"q-{event['diet']}-other": "   "})
    assert (response.status_code, "Say what the other need is." in response.text) == (
        422, True)
    assert _count(app) == 0


def test_single_choice_other_chosen_with_nothing_typed_is_refused(app, client, event):
    response = _post(client, event, **{f"q-{event['menu']}": OTHER_VALUE,
                                       f"q-{event['menu']}-other": ""})
    assert (response.status_code, "Say what the other answer is." in response.text) == (
        422, True)
    assert _count(app) == 0


def test_text_typed_under_other_without_ticking_it_counts_as_ticked(app, client, event):
    response = _post(client, event, **{f"q-{event['diet']}": ["Halal"],
                                       f"q-{event['diet']}-other": " No pork ",
                                       f"q-{event['menu']}-other": "Tofu"})
    assert response.status_code == 303, response.text[:2000]
    assert _stored(app) == {event["diet"]: "Halal\nNo pork", event["menu"]: "Tofu"}


def test_text_under_other_is_ignored_when_a_single_choice_is_made(app, client, event):
    response = _post(client, event, **{f"q-{event['menu']}": "Fish",
                                       f"q-{event['menu']}-other": "Tofu"})
    assert response.status_code == 303, response.text[:2000]
    assert _stored(app) == {event["menu"]: "Fish"}
