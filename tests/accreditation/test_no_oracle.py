"""No oracle: the delegation form answers the same whether a foreign address is registered;
an organiser limited to some events edits only what is theirs (both databases)."""

from __future__ import annotations

from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import Deliverable, OutboxMessage
from eventsapp.registration import services

from .conftest import event, person, sign_in, statuses


def delegation_form(email_of_second: str) -> dict:
    data = {"given_name": "Somchai", "family_name": "Jaidee", "email": "lead@example.org",
            "economy": "THA", "sector": "government", "category": "delegate"}
    for i in range(6):
        for name in ("given_name", "family_name", "email", "badge_name", "native_name",
                     "dietary", "accessibility"):
            data[f"members-{i}-{name}"] = ""
        data[f"members-{i}-category"] = "delegate"
    data.update({"members-0-given_name": "Nok", "members-0-family_name": "Saelim",
                 "members-0-email": "nok@example.org",
                 "members-1-given_name": "Kanya", "members-1-family_name": "Srisuk",
                 "members-1-email": email_of_second})
    return data


def answer(client, slug: str, email_of_second: str) -> tuple:
    response = client.post(f"/events/{slug}/register/delegation",
                           data=delegation_form(email_of_second))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    flash = page.split('<div role="status" class="flashes">')[1].split("</div>")[0]
    return response.status_code, response.headers["Location"].replace(slug, "*"), flash


def test_delegation_form_answers_the_same_whether_a_foreign_address_is_registered(
        app, make_event, client):
    with_foreign = make_event(slug="a", capacity=20)
    without = make_event(slug="b", capacity=20)
    with app.app_context():
        services.register(event(with_foreign), person(email="kanya@example.org", economy="CT"))

    assert answer(client, "a", "kanya@example.org") == answer(client, "b", "kanya@example.org")

    with app.app_context():
        # Nothing was said on the page; the registered person alone was told, by email, and
        # the one who submitted received exactly what they would have anyway.
        assert statuses(with_foreign) == [
            ("kanya@example.org", "confirmed"), ("lead@example.org", "confirmed"),
            ("nok@example.org", "confirmed")]
        assert statuses(without) == [
            ("lead@example.org", "confirmed"), ("nok@example.org", "confirmed"),
            ("kanya@example.org", "confirmed")]
        to_lead = [m.subject for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_addr == "lead@example.org")
            .order_by(OutboxMessage.id))]
        assert to_lead == ["Registration confirmed: Test event 1",
                           "Registration confirmed: Test event 2"]
        to_kanya = [m.subject for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_addr == "kanya@example.org")
            .order_by(OutboxMessage.id))]
        assert to_kanya == ["Registration confirmed: Test event 1",
                            "You are registered already: Test event 1",
                            "Registration confirmed: Test event 2"]


def test_a_duplicate_inside_ones_own_delegation_is_reported(app, make_event, client):
    make_event(slug="a")
    response = client.post("/events/a/register/delegation",
                           data=delegation_form("nok@example.org"))
    assert response.status_code == 409
    assert "Each delegate needs their own email address." in response.get_data(as_text=True)


def _limited_organiser(app, make_staff, slug_id):
    client = app.test_client()
    sign_in(client, make_staff("organiser", events=(slug_id,)))
    return client


def test_a_limited_organiser_cannot_edit_a_deliverable_of_no_event(seeded, make_staff):
    app = seeded
    with app.app_context():
        ev = db.session.scalar(select(Deliverable).where(Deliverable.event_id.is_not(None)))
        own_number, event_id = ev.number, ev.event_id
        orphan = db.session.scalar(select(Deliverable.number).where(
            Deliverable.event_id.is_(None)))
    client = _limited_organiser(app, make_staff, event_id)
    form = {"status": "done", "narrative": "Edited by someone limited to one event."}
    assert client.get(f"/admin/reports/2020/deliverables/{orphan}").status_code == 403
    assert client.post(f"/admin/reports/2020/deliverables/{orphan}", data=form).status_code == 403
    assert client.post(f"/admin/reports/2020/deliverables/{own_number}",
                       data=form).status_code == 303
    admin = app.test_client()
    sign_in(admin, make_staff("admin"))
    assert admin.post(f"/admin/reports/2020/deliverables/{orphan}", data=form).status_code == 303
    with app.app_context():
        narratives = dict(db.session.execute(
            select(Deliverable.number, Deliverable.narrative)).all())
        assert narratives[orphan] == narratives[own_number] == form["narrative"]
