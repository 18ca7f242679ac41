"""Online participants in the summary CSV, on My meetings and in the year feed (issue 17b):
figures per mode for organisers; the meeting link for confirmed online participants only."""

from __future__ import annotations

import csv
import io

from icalendar import Calendar

from tests.mymeetings.test_my_meetings import make_feed, sign_in

from .conftest import LINK
from .test_online_link import _register


def _my_page_and_feed(app, email: str) -> tuple[str, str]:
    client = app.test_client()
    sign_in(client, app, email)
    feed = make_feed(client)
    return client.get("/my/meetings").text, client.get(feed).text


def _taking_part_cell(page: str) -> str:
    row = page.split("<tbody>")[1].split("</tr>")[0]
    return row.split("<td>")[5].split("</td>")[0]


def test_my_meetings_and_year_feed_carry_the_link_of_a_confirmed_online_participant(
        hybrid_ctwg16):
    app = hybrid_ctwg16
    _register(app.test_client(), "online@example.org", "online")
    page, feed = _my_page_and_feed(app, "online@example.org")
    cell = _taking_part_cell(page)
    assert cell.startswith("Online<br><a href=\"" + LINK.replace("&", "&amp;") + '"')
    assert "Join online" in cell and "Passcode 4417" in cell
    entries = Calendar.from_ical(feed).walk("VEVENT")
    assert entries and all(str(e["CONFERENCE"]) == LINK for e in entries)
    assert all(str(e["DESCRIPTION"]).startswith(f"Join online: {LINK}") for e in entries)


def test_my_meetings_and_year_feed_give_no_link_to_in_person_or_waiting_people(hybrid_ctwg16):
    app = hybrid_ctwg16
    client = app.test_client()
    _register(client, "here@example.org", "in_person")
    _register(client, "a@example.org", "online")
    _register(client, "b@example.org", "online")  # the last online place
    _register(client, "later@example.org", "online")  # waiting list
    for email, shown in (("here@example.org", "In person"), ("later@example.org", "Online")):
        page, feed = _my_page_and_feed(app, email)
        assert _taking_part_cell(page) == shown
        assert "meet.example.net" not in page
        assert "meet.example.net" not in feed and "CONFERENCE" not in feed


def test_summary_csv_counts_in_person_and_online_participants(hybrid_ctwg16, make_user):
    from tests.auth.fixtures import sign_in as staff_sign_in

    app = hybrid_ctwg16
    client = app.test_client()
    _register(client, "here@example.org", "in_person")
    _register(client, "a@example.org", "online")
    _register(client, "b@example.org", "online")
    staff = app.test_client()
    assert staff_sign_in(staff, make_user("organiser")).status_code == 303
    data = staff.get("/admin/events/ctwg-16/summary.csv").data.decode("utf-8-sig")
    rows = [r for r in csv.reader(io.StringIO(data)) if r[0] == "participation"]
    assert rows == [
        ["participation", "in_person", "In person", "1", "0"],
        ["participation", "online", "Online", "2", "0"],
        ["participation", "online_minutes", "Minutes attended online", "0", ""],
    ]
    # The List of Participants' export says how each person takes part.
    listed = list(csv.reader(io.StringIO(staff.get(
        "/admin/events/ctwg-16/participants.csv").data.decode("utf-8-sig"))))
    assert listed[0][-1] == "participation"
    assert sorted(r[-1] for r in listed[1:]) == ["in person", "online", "online"]
