"""The annotated agenda PDF, read back with pdftotext: numbers, offsets per day, documents."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from eventsapp.agenda.services import publish_agenda
from eventsapp.database import unit_of_work
from eventsapp.extensions import db
from eventsapp.models import AgendaItem, Event
from tests.documents import files
from tests.documents.helpers import form_upload
from tests.documents.pdftext import pdf_text


def dst_meeting(app, make_event) -> list[int]:
    """Two days in London across the start of summer time (31 March 2030, 01:00 UTC)."""
    event_id = make_event(slug="london", title="London meeting", short_title="LDN 1",
                          timezone="Europe/London", start_date=date(2030, 3, 30),
                          end_date=date(2030, 3, 31))
    tz = ZoneInfo("Europe/London")
    with app.app_context(), unit_of_work():
        ev = db.session.get(Event, event_id)
        ev.agenda_provisional = True
        for title, kind, start, end, chairs, speakers in (
                ("Opening", "plenary", (30, 9), (30, 9, 30), ["Ms Chair"], []),
                ("Coffee", "break", (30, 9, 30), (30, 10), [], []),
                ("Threats to soft targets", "session", (30, 10), (30, 12), [],
                 ["Dr Speaker", "Mr Expert"]),
                ("Aviation security", "session", (31, 9), (31, 11), ["Mr Vice-Chair"], [])):
            ev.agenda_items.append(AgendaItem(
                title=title, kind=kind, chairs=chairs, speakers=speakers,
                starts_at=datetime(2030, 3, *start, tzinfo=tz),
                ends_at=datetime(2030, 3, *end, tzinfo=tz)))
        db.session.flush()
        publish_agenda(ev)
        return [i.id for i in sorted(ev.agenda_items, key=lambda i: i.starts_at)]


def test_programme_numbers_items_gives_each_days_offset_and_lists_documents(
        app, client, make_event, meeting, signed_in):
    items = dst_meeting(app, make_event)
    admin = signed_in(meeting.admin)
    form_upload(admin, "london", files.pdf_bytes(), title="Threat assessment", item=items[2])
    form_upload(admin, "london", files.pdf_bytes(), title="Screening note", item=items[3],
                access="staff")

    text = pdf_text(client.get("/events/london/programme.pdf").data)
    assert "PROVISIONAL: times are still to be confirmed" in text
    assert "Saturday 30 March 2030 (times in UTC+00:00)" in text
    assert "Sunday 31 March 2030 (times in UTC+01:00)" in text
    for expected in ("09:00–09:30 1.1 Opening Chair: Ms Chair",
                     "09:30–10:00 Coffee Break",
                     "10:00–12:00 1.2 Threats to soft targets Speakers: Dr Speaker, Mr Expert "
                     "Documents: 2030/LDN1/001 Threat assessment",
                     "09:00–11:00 2.1 Aviation security Chair: Mr Vice-Chair"):
        assert expected in text
    assert "2030/LDN1/002" not in text  # staff only: not listed to the public
    staff_text = pdf_text(admin.get("/events/london/programme.pdf").data)
    assert "Documents: 2030/LDN1/002 Screening note" in staff_text

    admin.post("/admin/events/london/agenda/confirm")
    assert "PROVISIONAL" not in pdf_text(client.get("/events/london/programme.pdf").data)


def test_list_of_documents_pdf_and_csv_are_in_number_order(client, meeting, signed_in):
    admin = signed_in(meeting.admin)
    for title in ("Zeta report", "Alpha report"):
        form_upload(admin, "ctwg-99", files.pdf_bytes(), title=title, economy="CHL",
                    item=meeting.items[2], deliverable="")
    text = pdf_text(client.get("/events/ctwg-99/documents.pdf").data)
    assert text.index("2030/CTWG99/001 Zeta report") < text.index("2030/CTWG99/002 Alpha")
    assert "1.2 Strategic Trade Management" in text
    csv = client.get("/events/ctwg-99/documents.csv").get_data(as_text=True).splitlines()
    assert csv[0] == ("\ufeffnumber,revision,title,submitted_by,language,access,agenda_item,"
                      "deliverable,type,bytes,submitted_at_utc,late")
    assert [line.split(",")[:4] for line in csv[1:]] == [
        ["2030/CTWG99/001", "", "Zeta report", "Chile"],
        ["2030/CTWG99/002", "", "Alpha report", "Chile"]]


def test_documents_appear_under_their_item_on_the_event_page_and_in_the_agenda_editor(
        client, meeting, signed_in):
    admin = signed_in(meeting.admin)
    form_upload(admin, "ctwg-99", files.pdf_bytes(), title="Public note", item=meeting.items[2])
    form_upload(admin, "ctwg-99", files.pdf_bytes(), title="Staff note", item=meeting.items[2],
                access="staff")
    public = client.get("/events/ctwg-99").get_data(as_text=True)
    assert '2030/CTWG99/001</a> Public note' in public
    assert "Staff note" not in public
    editor = admin.get("/admin/events/ctwg-99/agenda").get_data(as_text=True)
    assert '2030/CTWG99/001</a> Public note' in editor
    assert '2030/CTWG99/002</a> Staff note' in editor
