"""Agenda items that end at midnight or run past it (issue 14, Time 3).

Day 2027-06-15 in Asia/Singapore: 19:00 to 00:00 (or 24:00) is 2027-06-15T19:00+08:00 →
2027-06-16T00:00+08:00, and 22:00 to 01:00 ends at 01:00 the next day. An evening
reception on the last day is inside the event; no item lasts more than 24 hours.
"""

import re
from datetime import date
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from eventsapp.agenda import services
from eventsapp.auth.services import create_api_token, get_user_by_email
from eventsapp.extensions import db
from eventsapp.models import AgendaItem, AuditEntry, Event

SGT = ZoneInfo("Asia/Singapore")
RECEPTION = {"title": "Reception", "kind": "meal", "day": "2027-06-15", "start": "19:00",
             "end": "00:00", "room": "", "chairs": "", "speakers": "", "description": ""}


@pytest.fixture
def singapore(make_event):
    make_event(slug="sg", timezone="Asia/Singapore", start_date=date(2027, 6, 14),
               end_date=date(2027, 6, 15))
    return "sg"


def local_times() -> tuple[str, str]:
    item = db.session.scalar(select(AgendaItem))
    return item.starts_at.astimezone(SGT).isoformat(), item.ends_at.astimezone(SGT).isoformat()


@pytest.mark.parametrize("end", ["00:00", "24:00"])
def test_reception_until_midnight_ends_at_the_start_of_the_next_day(app, admin_client,
                                                                    singapore, end):
    response = admin_client.post("/admin/events/sg/agenda/new", data={**RECEPTION, "end": end},
                                 follow_redirects=True)

    assert response.status_code == 200
    assert "outside the event" not in response.text
    assert "Reception" in response.text and "19:00–24:00" in response.text
    with app.app_context():
        assert local_times() == ("2027-06-15T19:00:00+08:00", "2027-06-16T00:00:00+08:00")


def test_late_session_from_ten_to_one_ends_at_one_the_next_day_and_is_not_outside(
        app, admin_client, client, singapore):
    admin_client.post("/admin/events/sg/agenda/new",
                      data={**RECEPTION, "start": "22:00", "end": "01:00"})
    admin_client.post("/admin/events/sg/agenda/publish")

    with app.app_context():
        assert local_times() == ("2027-06-15T22:00:00+08:00", "2027-06-16T01:00:00+08:00")
        ev = db.session.scalar(select(Event).where(Event.slug == "sg"))
        # 15 June is the event's last day: ending after its midnight is still inside.
        assert services.agenda_warnings(ev) == {}
    assert "22:00–01:00 next day" in visible_text(client.get("/events/sg").text)


def test_item_made_through_the_api_across_midnight_resaves_unchanged_in_the_form(
        app, admin_client, make_user, singapore):
    with app.app_context():
        token = create_api_token(get_user_by_email(make_user("admin")), "test")
    created = app.test_client().post(
        "/api/v1/events/sg/agenda", headers={"Authorization": f"Bearer {token}"},
        json={"title": "Late session", "starts_at": "2027-06-15T22:00:00+08:00",
              "ends_at": "2027-06-16T01:00:00+08:00"})
    assert created.status_code == 201, created.get_json()
    item_id = created.get_json()["id"]
    with app.app_context():
        before = db.session.get(AgendaItem, item_id)
        row = (before.starts_at, before.ends_at, before.sequence, before.updated_at,
               before.chairs, before.speakers)
        audits = db.session.scalar(select(func.count()).select_from(AuditEntry))

    shown = form_values(admin_client.get(f"/admin/events/sg/agenda/{item_id}/edit").text)
    assert (shown["day"], shown["start"], shown["end"]) == ("2027-06-15", "22:00", "01:00")
    # Sent back exactly as the form showed it.
    response = admin_client.post(f"/admin/events/sg/agenda/{item_id}/edit", data=shown)

    assert response.status_code == 303
    with app.app_context():
        after = db.session.get(AgendaItem, item_id)
        assert (after.starts_at, after.ends_at, after.sequence, after.updated_at, after.chairs,
                after.speakers) == row
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audits


def test_the_24_hour_limit_still_holds_across_midnight(app, make_user, singapore):
    with app.app_context():
        token = create_api_token(get_user_by_email(make_user("admin")), "test")
    response = app.test_client().post(
        "/api/v1/events/sg/agenda", headers={"Authorization": f"Bearer {token}"},
        json={"title": "Too long", "starts_at": "2027-06-15T22:00:00+08:00",
              "ends_at": "2027-06-16T22:01:00+08:00"})

    assert response.status_code == 422
    assert response.get_json()["errors"] == {"ends_at": ["An item cannot last more than 24 hours."]}


def test_end_day_is_the_next_day_at_or_before_the_start_or_at_24():
    day = date(2027, 6, 15)
    assert services.end_day(day, *_times("19:00", "23:59")) == day
    assert services.end_day(day, *_times("19:00", "00:00")) == date(2027, 6, 16)
    assert services.end_day(day, *_times("22:00", "01:00")) == date(2027, 6, 16)
    assert services.end_day(day, *_times("09:00", "09:00")) == date(2027, 6, 16)
    assert services.end_day(day, *_times("00:00", "00:00"), end_of_day=True) == date(2027, 6, 16)


def visible_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def form_values(html: str) -> dict[str, str]:
    """What a browser would send for the page's main form, untouched."""

    class Form(HTMLParser):
        def __init__(self):
            super().__init__()
            self.values: dict[str, str] = {}
            self.textarea = self.select = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "input" and a.get("name") and a.get("type") not in ("radio", "checkbox"):
                self.values[a["name"]] = a.get("value") or ""
            elif tag == "input" and a.get("name") and "checked" in a:
                self.values[a["name"]] = a.get("value") or "y"
            elif tag == "textarea":
                self.textarea = a["name"]
                self.values[self.textarea] = ""
            elif tag == "select":
                self.select = a["name"]
            elif tag == "option" and self.select and (
                    "selected" in a or self.select not in self.values):
                self.values[self.select] = a.get("value") or ""

        def handle_endtag(self, tag):
            if tag == "textarea":
                self.textarea = None
            elif tag == "select":
                self.select = None

        def handle_data(self, data):
            if self.textarea:
                self.values[self.textarea] += data

    parser = Form()
    parser.feed(html[html.index('<form method="post" novalidate>'):])
    # A browser drops the first line break after <textarea> (HTML's parsing rules).
    return {k: re.sub(r"^\r?\n", "", v) for k, v in parser.values.items()}


def _times(start: str, end: str):
    from datetime import time

    return time.fromisoformat(start), time.fromisoformat(end)


def _publish_evening(admin_client) -> None:
    admin_client.post("/admin/events/sg/agenda/new", data=RECEPTION)
    admin_client.post("/admin/events/sg/agenda/new",
                      data={**RECEPTION, "title": "Late session", "start": "22:00",
                            "end": "01:00"})
    assert admin_client.post("/admin/events/sg/agenda/publish").status_code == 303


def test_annotated_agenda_pdf_reads_midnight_as_the_event_page_does(admin_client, client,
                                                                   singapore):
    from tests.documents.pdftext import pdf_text

    _publish_evening(admin_client)
    page = visible_text(client.get("/events/sg").text)
    text = pdf_text(client.get("/events/sg/programme.pdf").data)
    assert "19:00–24:00" in page and "22:00–01:00 next day" in page
    assert "19:00–24:00 Reception" in text
    assert "22:00–01:00 next day Late session" in text
    assert "00:00" not in text


def test_event_summary_pdf_reads_midnight_as_the_event_page_does(admin_client, singapore):
    from tests.documents.pdftext import pdf_text

    _publish_evening(admin_client)
    text = pdf_text(admin_client.get("/admin/events/sg/summary.pdf").data)
    assert "Tuesday 15 June 2027 19:00–24:00 Reception" in text
    assert "Tuesday 15 June 2027 22:00–01:00 next day Late session" in text


def test_delete_page_states_an_item_until_midnight_as_ending_at_24(app, admin_client,
                                                                  singapore):
    admin_client.post("/admin/events/sg/agenda/new", data=RECEPTION)
    with app.app_context():
        item_id = db.session.scalar(select(AgendaItem.id))
    page = visible_text(admin_client.get(f"/admin/events/sg/agenda/{item_id}/delete").text)
    assert "Tuesday 15 June 2027, 19:00–24:00" in page
