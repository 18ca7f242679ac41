"""The UTC offset of each day where an offset is shown (issue 14, Time 2).

Europe/Berlin, 27–29 March 2027: the clocks go forward at 02:00 on Sunday 28 March, so
27 March is UTC+01:00, 28 March starts at UTC+01:00 and says the change, 29 March is
UTC+02:00. The page, the agenda editor, the summary (HTML and PDF) and the API agree.
"""

import re
import subprocess
from datetime import date

import pytest

from eventsapp.labels import day_offset_label, zone_label

BERLIN_ZONE = "Europe/Berlin (UTC+01:00 until 28 March 2027 02:00, then UTC+02:00)"
HEADINGS = ["Saturday 27 March 2027 (UTC+01:00)",
            "Sunday 28 March 2027 (UTC+01:00 until 02:00, then UTC+02:00)",
            "Monday 29 March 2027 (UTC+02:00)"]


def visible_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def berlin(admin_client, make_event):
    make_event(slug="berlin", timezone="Europe/Berlin", start_date=date(2027, 3, 27),
               end_date=date(2027, 3, 29))
    for day in ("2027-03-27", "2027-03-28", "2027-03-29"):
        response = admin_client.post("/admin/events/berlin/agenda/new", data={
            "title": f"Session {day}", "kind": "session", "day": day, "start": "09:00",
            "end": "10:00", "room": "", "chairs": "", "speakers": "", "description": ""})
        assert response.status_code == 303
    assert admin_client.post("/admin/events/berlin/agenda/publish").status_code == 303
    return "berlin"


def test_each_day_has_its_own_offset_and_the_change_day_says_it():
    assert [day_offset_label(date(2027, 3, d), "Europe/Berlin") for d in (27, 28, 29)] == [
        "UTC+01:00", "UTC+01:00 until 02:00, then UTC+02:00", "UTC+02:00"]
    assert zone_label("Europe/Berlin", [date(2027, 3, d) for d in (27, 28, 29)]) == BERLIN_ZONE
    # Southern hemisphere, clocks back: 03:00 summer time becomes 02:00.
    assert day_offset_label(date(2027, 4, 4), "Australia/Sydney") == (
        "UTC+11:00 until 03:00, then UTC+10:00")
    assert zone_label("Asia/Singapore", [date(2027, 6, 15)]) == "Asia/Singapore (UTC+08:00)"
    assert zone_label("Asia/Kathmandu", []) == "Asia/Kathmandu"


def test_event_page_shows_the_offset_of_each_day(client, berlin):
    text = visible_text(client.get("/events/berlin").text)

    assert f"All times are local time at the venue: {BERLIN_ZONE}." in text
    assert f"Time zone {BERLIN_ZONE}" in text
    assert [h for h in HEADINGS if h in text] == HEADINGS
    assert "Europe/Berlin (UTC+01:00)." not in text


def test_agenda_editor_shows_the_offset_of_each_day(admin_client, berlin):
    text = visible_text(admin_client.get("/admin/events/berlin/agenda").text)

    assert f"times in {BERLIN_ZONE}" in text
    assert [h for h in HEADINGS if h in text] == HEADINGS


def test_summary_shows_the_offset_of_each_day_in_html_and_pdf(admin_client, berlin):
    html = visible_text(admin_client.get("/admin/events/berlin/summary").text)
    pdf = admin_client.get("/admin/events/berlin/summary.pdf").data
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                          capture_output=True, check=True).stdout.decode()
    text = " ".join(text.split())

    assert f"Times are local time at the venue: {BERLIN_ZONE}." in html
    assert [h for h in HEADINGS if h in html] == HEADINGS
    assert f"Times are local time at the venue: {BERLIN_ZONE}." in text
    # The PDF's rows each say their offset once it changes during the agenda.
    assert re.findall(r"09:00–10:00 \((UTC\+0\d:00)\)", text) == [
        "UTC+01:00", "UTC+02:00", "UTC+02:00"]


def test_api_gives_each_time_its_own_offset(client, berlin):
    agenda = client.get("/api/v1/events/berlin").get_json()["agenda"]

    assert [i["starts_at"] for i in agenda] == ["2027-03-27T09:00:00+01:00",
                                               "2027-03-28T09:00:00+02:00",
                                               "2027-03-29T09:00:00+02:00"]
