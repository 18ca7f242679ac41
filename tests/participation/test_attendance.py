"""Online attendance from a participant report: preview, save, refusals, and the counts in
the event summary and the year's report (in person vs online)."""

from __future__ import annotations

import html as html_lib
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import OnlineAttendance
from eventsapp.participation import attendance
from eventsapp.registration import services
from eventsapp.reports.queries import event_summary

from .conftest import event, person, sign_in

DAY = date(2030, 3, 4)


@pytest.fixture
def hybrid(ctx, make_hybrid):
    eid = make_hybrid(in_person=5, online=5)
    regs = {}
    for name, mode, email in (("ana", "online", "Ana.Lee@Example.org"),
                              ("bo", "online", "bo@exämple.org"),
                              ("cy", "in_person", "cy@example.org"),
                              ("di", "online", "di@example.org")):
        regs[name] = services.register(event(eid), person(email=email, participation=mode),
                                       notify=False).registration
    services.cancel_registration(regs["di"], notify=False)
    return eid, regs


REPORT = ("Name (Original Name),User Email,Join Time,Leave Time,Total Duration (Minutes)\n"
          "Ana Lee,ANA.LEE@example.ORG,09:00,10:00,60\n"
          "Ana Lee,ana.lee@example.org,10:30,11:05,35\n"
          "Bo,BO@EXÄMPLE.ORG,09:00,12:00,180\n"
          "Cy,cy@example.org,09:00,12:00,180\n"
          "Di,di@example.org,09:00,12:00,20\n"
          "Guest,,09:00,09:10,10\n"
          "Stranger,who@example.net,09:00,09:10,ten\n")


def test_preview_matches_by_address_whatever_its_case_and_lists_the_rest(hybrid):
    eid, regs = hybrid
    result = attendance.preview(event(eid), REPORT.encode())
    assert sorted((m.registration.email, m.minutes, m.lines) for m in result.matched) == [
        ("Ana.Lee@Example.org", 95, 2), ("bo@exämple.org", 180, 1)]
    assert [(line.number, line.problem) for line in result.unmatched] == [
        (5, "Cy takes part in person (checked in at the door, not counted online)."
         .replace("Cy", regs["cy"].full_name, 1)),
        (6, "No confirmed registration of this event has this address."),
        (7, "No email address on this line."),
        (8, "“ten” is not a number of minutes."),
    ]
    assert result.rows == 7
    assert db.session.scalar(select(OnlineAttendance.id)) is None  # a preview stores nothing


def test_saving_stores_minutes_per_day_and_a_second_upload_replaces_them(hybrid):
    eid, regs = hybrid
    attendance.save_report(event(eid), DAY, REPORT.encode(), user=None)
    attendance.save_report(event(eid), DAY, b"name,email,minutes\nAna,ana.lee@example.org,50\n",
                           user=None)
    attendance.save_report(event(eid), date(2030, 3, 5),
                           b"name,email,minutes\nBo,bo@xn--exmple-cua.org,1:30\n", user=None)
    db.session.rollback()
    rows = sorted((a.registration_id, a.day, a.minutes)
                  for a in db.session.scalars(select(OnlineAttendance)))
    assert rows == sorted([(regs["ana"].id, DAY, 50), (regs["bo"].id, DAY, 180),
                           (regs["bo"].id, date(2030, 3, 5), 90)])
    summary = event_summary(event(eid))
    assert (summary.confirmed_online, summary.confirmed_in_person, summary.attended_online,
            summary.online_minutes, summary.attended) == (2, 1, 2, 320, 0)


@pytest.mark.parametrize("data, message", [
    ("name,email,minutes\nZoë,zoe@example.org,5\n".encode("utf-16"),
     "The file is not UTF-8 text (byte 1 cannot be read)."),
    ("name,email,minutes\nZoë,zoe@example.org,5\n".encode("latin-1"),
     "The file is not UTF-8 text (byte 22 cannot be read)."),
    (b"a" * (attendance.MAX_BYTES + 1), "The file is 1,000 kB; upload at most 1,000 kB."),
    (b"name,email,minutes\n" + b"x,x@example.org,1\n" * (attendance.MAX_ROWS + 1),
     "The file has 5,001 lines; upload at most 5,000 at a time."),
    (b"name,email\nA,a@example.org\n", "The report has no minutes column"),
    (b"\x00\x01PK", "The file is not a CSV text file"),
])
def test_bad_reports_are_refused_with_a_message_and_nothing_stored(hybrid, data, message):
    eid, _regs = hybrid
    with pytest.raises(attendance.AttendanceInputError) as exc:
        attendance.save_report(event(eid), DAY, data, user=None)
    assert exc.value.errors["file"][0].startswith(message)
    db.session.rollback()
    assert db.session.scalar(select(OnlineAttendance.id)) is None


def test_a_day_outside_the_event_is_refused(hybrid):
    eid, _regs = hybrid
    with pytest.raises(attendance.AttendanceInputError) as exc:
        attendance.save_report(event(eid), date(2030, 3, 9), REPORT.encode(), user=None)
    assert exc.value.errors == {"day": ["Choose one of the event's days."]}


def test_organiser_uploads_previews_and_saves_by_clicking(app, hybrid, make_staff):
    eid, regs = hybrid
    client = app.test_client()
    assert sign_in(client, make_staff("admin")).status_code == 303
    slug = event(eid).slug
    page = client.get(f"/admin/events/{slug}/participation/attendance")
    assert page.status_code == 200 and "Upload a participant report" in page.text
    preview = client.post(f"/admin/events/{slug}/participation/attendance", data={
        "day": DAY.isoformat(), "file": (io.BytesIO(REPORT.encode()), "report.csv")},
        content_type="multipart/form-data")
    assert preview.status_code == 200
    assert "2 people matched</strong> from 7 lines; 4 lines not matched." in preview.text
    db.session.rollback()
    assert db.session.scalar(select(OnlineAttendance.id)) is None
    report = re.search(r'id="report" name="report" type="hidden" value="([^"]*)"',
                       preview.text).group(1)
    saved = client.post(f"/admin/events/{slug}/participation/attendance/save",
                        data={"day": DAY.isoformat(), "report": html_lib.unescape(report)},
                        follow_redirects=True)
    assert "Saved the online attendance of 2 people; 4 lines not matched." in saved.text
    assert "online: <strong>2</strong>" in saved.text
    summary = client.get(f"/admin/events/{slug}/summary")
    assert 'data-figure="attended-online">2<' in summary.text
    bad = client.post(f"/admin/events/{slug}/participation/attendance", data={
        "day": DAY.isoformat(), "file": (io.BytesIO("é".encode("latin-1")), "r.csv")},
        content_type="multipart/form-data")
    assert bad.status_code == 422 and "is not UTF-8 text" in bad.text
