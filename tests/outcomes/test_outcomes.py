"""Decisions and actions at CTWG 15, carried to CTWG 16; the Chair's Summary; the year's report."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from eventsapp.auth.services import create_api_token, create_user
from eventsapp.extensions import db
from eventsapp.models import AgendaItem, Event, User
from tests.auth.fixtures import PASSWORD, sign_in
from tests.documents import files
from tests.documents.helpers import form_upload
from tests.documents.pdftext import pdf_text


@pytest.fixture
def ctwg(seeded):
    """The 2020 work plan, an admin signed in, an API token, and CTWG 15's item ids."""
    with seeded.app_context():
        admin = create_user("admin@example.org", PASSWORD, "admin")
        create_user("other@example.org", PASSWORD, "organiser",
                    events=[db.session.scalar(select(Event).where(Event.slug == "star-xi"))])
        token = create_api_token(db.session.get(User, admin.id), "tests")
        ev = db.session.scalar(select(Event).where(Event.slug == "ctwg-15"))
        items = {i.title.split(":")[0].split(" ")[0]: i.id for i in db.session.scalars(
            select(AgendaItem).where(AgendaItem.event_id == ev.id))}
    client = seeded.test_client()
    assert sign_in(client, "admin@example.org").status_code == 303
    return client, token, items


def add_action(client, slug: str, **fields):
    data = {"text": "Present the final report.", "owner_kind": "economy",
            "owner_economy": "CHL", "owner_name": "", "due_date": "2020-08-01",
            "agenda_item": "", "deliverable": "", **fields}
    return client.post(f"/admin/events/{slug}/outcomes/actions", data=data)


def test_actions_stay_open_and_carry_to_the_next_meeting_until_closed(seeded, ctwg):
    admin, token, items = ctwg
    stm = items["Strategic"]
    assert admin.post("/admin/events/ctwg-15/outcomes/decisions", data={
        "text": "The meeting welcomed Chile's preliminary report.", "agenda_item": str(stm),
        "deliverable": "1.8"}).status_code == 303
    assert add_action(admin, "ctwg-15", agenda_item=str(stm), deliverable="1.8").status_code \
        == 303
    assert add_action(admin, "ctwg-15", text="Circulate the template.", owner_kind="secretariat",
                      owner_economy="", due_date="").status_code == 303

    carried = admin.get("/api/v1/events/ctwg-16/outcomes",
                        headers={"Authorization": f"Bearer {token}"}).json["carried_forward"]
    assert [(a["text"], a["owner"], a["due_date"], a["deliverable"], a["agreed_at"],
             a["agenda_item"]) for a in carried] == [
        ("Present the final report.", "Chile", "2020-08-01", "1.8", "ctwg-15", "2.1"),
        ("Circulate the template.", "APEC Secretariat", None, None, "ctwg-15", None)]
    page = admin.get("/admin/events/ctwg-16/outcomes").get_data(as_text=True)
    assert "Open actions carried forward (2)" in page

    first = carried[0]["id"]
    assert admin.post(f"/admin/events/ctwg-16/outcomes/actions/{first}/close",
                      data={"note": "Presented at CTWG 16."}).status_code == 303
    carried = admin.get("/api/v1/events/ctwg-16/outcomes",
                        headers={"Authorization": f"Bearer {token}"}).json["carried_forward"]
    assert [a["text"] for a in carried] == ["Circulate the template."]
    summary = admin.get("/api/v1/events/ctwg-15/outcomes",
                        headers={"Authorization": f"Bearer {token}"}).json
    closed = summary["items"][0]["actions"][0]
    assert (closed["status"], closed["closing_note"]) == ("closed", "Presented at CTWG 16.")
    # Closed, it is no longer carried to CTWG 16; closing it twice is refused.
    assert admin.post(f"/admin/events/ctwg-16/outcomes/actions/{first}/close",
                      data={"note": ""}).status_code == 404
    again = admin.post(f"/admin/events/ctwg-15/outcomes/actions/{first}/close",
                       data={"note": ""}, follow_redirects=True)
    assert "This action is closed already." in again.get_data(as_text=True)


@pytest.mark.parametrize("fields, field, message", [
    ({"text": "  "}, "text", "Enter the text."),
    ({"owner_economy": ""}, "owner_economy", "Choose the economy."),
    ({"owner_kind": "person", "owner_name": ""}, "owner_name", "Enter the person&#39;s name."),
    ({"deliverable": "9.9"}, "deliverable", "The event&#39;s work plan has no such deliverable."),
])
def test_an_action_missing_what_or_who_is_refused_with_the_field_named(ctwg, fields, field,
                                                                       message):
    admin, _, _ = ctwg
    if field == "deliverable":  # not a choice of the form: the form itself refuses it
        message = "Not a valid choice."
    response = add_action(admin, "ctwg-15", **fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error">{message}' in page


def test_an_organiser_of_another_event_cannot_record_outcomes(seeded, ctwg):
    other = seeded.test_client()
    sign_in(other, "other@example.org")
    assert add_action(other, "ctwg-15").status_code == 403
    assert other.get("/admin/events/ctwg-15/outcomes").status_code == 403


def test_chairs_summary_is_staff_only_until_published_and_reads_in_agenda_order(
        seeded, client, ctwg):
    admin, _, items = ctwg
    form_upload(admin, "ctwg-15", files.pdf_bytes(), title="Preliminary report on STM",
                economy="CHL", item=items["Strategic"], deliverable="1.8")
    for item, text in ((items["Strategic"], "Welcomed Chile's preliminary report."),
                       (items["Charting"], "Adopted the work plan.")):
        admin.post("/admin/events/ctwg-15/outcomes/decisions",
                   data={"text": text, "agenda_item": str(item), "deliverable": ""})
    add_action(admin, "ctwg-15", agenda_item=str(items["Strategic"]), deliverable="1.8")

    assert client.get("/events/ctwg-15/chairs-summary").status_code == 404
    assert client.get("/events/ctwg-15/chairs-summary.pdf").status_code == 404
    assert client.get("/api/v1/events/ctwg-15/outcomes").status_code == 404
    draft = pdf_text(admin.get("/events/ctwg-15/chairs-summary.pdf").data)
    assert "DRAFT: not yet published." in draft

    admin.post("/admin/events/ctwg-15/outcomes/publish", data={"publish": "1"})
    text = pdf_text(client.get("/events/ctwg-15/chairs-summary.pdf").data)
    assert "DRAFT" not in text
    assert text.index("1.1 Charting the activities") < text.index("Adopted the work plan.") \
        < text.index("2.1 Strategic Trade Management") < text.index(
        "Documents: 2020/CTWG15/001 Preliminary report on STM") < text.index(
        "1. Welcomed Chile's preliminary report.") < text.index(
        "Present the final report. Chile 1 August 2020 1.8 Open")
    assert "Open action items carry forward to the 16th Counter-Terrorism Working Group " \
        "Meeting." in text
    html = client.get("/events/ctwg-15/chairs-summary").get_data(as_text=True)
    assert "Welcomed Chile&#39;s preliminary report." in html
    # The next meeting shows it as carried forward (a staff view before anything is public).
    carried = pdf_text(admin.get("/events/ctwg-16/chairs-summary.pdf").data)
    assert "Open actions carried forward from earlier meetings Action Who By Deliverable " \
        "Status CTWG 15 item 2.1: Present the final report. Chile 1 August 2020 1.8 Open" \
        in carried


def test_the_years_report_gives_each_deliverables_decisions_documents_and_open_actions(
        ctwg):
    admin, _, items = ctwg
    form_upload(admin, "ctwg-15", files.pdf_bytes(), title="Preliminary report on STM",
                economy="CHL", item=items["Strategic"], deliverable="1.8")
    admin.post("/admin/events/ctwg-15/outcomes/decisions", data={
        "text": "Welcomed the report.", "agenda_item": "", "deliverable": "1.8"})
    add_action(admin, "ctwg-15", deliverable="1.8")
    add_action(admin, "ctwg-15", text="Done already.", deliverable="1.8")
    html = admin.get("/admin/reports/2020").get_data(as_text=True)
    section = html[html.index('id="d-1.8"'):]
    section = section[:section.index("</article>")]
    assert "<li>CTWG 15: Welcomed the report.</li>" in section
    assert "<li>2020/CTWG15/001 Preliminary report on STM</li>" in section
    assert "<li>Chile, by 1 August 2020: Present the final report.</li>" in section
    text = pdf_text(admin.get("/admin/reports/2020.pdf").data)
    assert "Decisions: CTWG 15: Welcomed the report." in text
    assert "Documents: 2020/CTWG15/001 Preliminary report on STM" in text
