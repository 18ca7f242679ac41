"""The check-in desk: scans, refusals, days and counts, through the real routes and database."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from eventsapp.checkin import services
from eventsapp.extensions import db
from eventsapp.models import CANCELLED, WAITLISTED, CheckIn
from tests.checkin.factories import login, make_registration, make_user

TZ = "Asia/Kuala_Lumpur"


def heading(page: str) -> str:
    match = re.search(r'<h2 id="result-heading"[^>]*>(.*?)</h2>', page, re.S)
    return html.unescape(match.group(1).strip()) if match else ""


def counts(html: str) -> list[tuple[str, str]]:
    table = re.search(r'<table class="checkin-counts">(.*?)</table>', html, re.S).group(1)
    return re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', table)


def checkins(app, reg_id: int) -> list[date]:
    with app.app_context():
        return list(db.session.scalars(
            select(CheckIn.day).where(CheckIn.registration_id == reg_id).order_by(CheckIn.day)))


@pytest.fixture
def today_event(make_event):
    today = datetime.now(ZoneInfo(TZ)).date()
    return make_event(slug="today", title="Meeting today", timezone=TZ, start_date=today,
                      end_date=today + timedelta(days=1))


@pytest.fixture
def past_event(make_event):
    # Like the seeded 2020 meetings: today is not one of its days.
    return make_event(slug="ctwg-x", title="Two-day meeting", timezone=TZ,
                      start_date=date(2020, 2, 10), end_date=date(2020, 2, 11))


@pytest.fixture
def desk(app, client):
    """A signed-in check-in account (all events); returns the client."""
    login(app, client, make_user(app, "checkin"))
    return client


# --- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [
    "ABCDEFGHJKLM", "abcdefghjklm", " ABCD EFGH JKLM \n", "ABCD-EFGH-JKLM",
    "https://events.example.org/admin/events/ctwg-15/checkin?code=ABCDEFGHJKLM",
    "http://events.test/admin/events/x/checkin?code=abcdefghjklm&x=1",
])
def test_extract_code_accepts_bare_code_and_desk_url(typed):
    assert services.extract_code(typed) == "ABCDEFGHJKLM"


@pytest.mark.parametrize("typed", [
    "", "   ", "Smith", "ABCDEFGHJKL", "ABCDEFGHJKLMN", "ABCDEFGHIJKL", "https://x/?code=",
    "A" * 50_000, "\x00" * 12, "<script>alert(1)</script>", "李小龍",
])
def test_extract_code_refuses_what_is_not_a_code(typed):
    assert services.extract_code(typed) is None


def test_resolve_day_is_today_on_an_event_day_whatever_the_form_says(app, today_event):
    from eventsapp.models import Event

    with app.app_context():
        event = db.session.get(Event, today_event)
        now = datetime.now(ZoneInfo(TZ))
        assert services.resolve_day(event, (event.start_date + timedelta(days=1)).isoformat(),
                                    now) == now.date()


def test_resolve_day_defaults_to_first_day_and_refuses_other_days(app, past_event):
    from eventsapp.models import Event

    with app.app_context():
        event = db.session.get(Event, past_event)
        assert services.resolve_day(event, None) == date(2020, 2, 10)
        assert services.resolve_day(event, "2020-02-11") == date(2020, 2, 11)
        with pytest.raises(services.CheckInError) as exc:
            services.resolve_day(event, "2020-02-12")
        assert (exc.value.status, exc.value.message) == (400, "Choose one of the event's days.")


# --- scanning -------------------------------------------------------------------------------


def test_scan_twice_checks_in_once_and_says_already_checked_in_today(app, desk, today_event):
    reg_id, _, code = make_registration(app, today_event, "Alice", "Smith", economy="AUS")

    first = desk.post("/admin/events/today/checkin", data={"code": code})
    second = desk.post("/admin/events/today/checkin", data={"code": code.lower()})

    assert first.status_code == 200
    assert heading(first.text) == "Alice Smith is checked in today."
    assert "Australia" in first.text
    assert second.status_code == 200
    assert heading(second.text) == "Alice Smith is already checked in today."
    assert checkins(app, reg_id) == [datetime.now(ZoneInfo(TZ)).date()]


def test_desk_url_with_the_code_is_accepted_too(app, desk, today_event):
    reg_id, _, code = make_registration(app, today_event, "Nguyễn", "Văn An",
                                        badge_name="Nguyễn Văn An")
    url = f"http://events.test/admin/events/today/checkin?code={code}"

    response = desk.post("/admin/events/today/checkin", data={"code": url})

    assert response.status_code == 200
    assert heading(response.text) == "Nguyễn Văn An is checked in today."
    assert len(checkins(app, reg_id)) == 1


def test_check_in_records_who_scanned(app, client, today_event):
    user_id = make_user(app, "organiser")
    login(app, client, user_id)
    reg_id, _, code = make_registration(app, today_event)

    client.post("/admin/events/today/checkin", data={"code": code})

    with app.app_context():
        row = db.session.scalar(select(CheckIn).where(CheckIn.registration_id == reg_id))
        assert row.by_user_id == user_id


@pytest.mark.parametrize(("status", "message"), [
    (WAITLISTED, "Not admitted: Bob Lee is on the waiting list, not confirmed. "
                 "Send them to the registration desk."),
    (CANCELLED, "Not admitted: the registration of Bob Lee was cancelled. "
                "Send them to the registration desk."),
])
def test_waitlisted_and_cancelled_are_refused(app, desk, today_event, status, message):
    reg_id, _, code = make_registration(app, today_event, "Bob", "Lee", status=status)

    response = desk.post("/admin/events/today/checkin", data={"code": code})

    assert response.status_code == 409
    assert heading(response.text) == message
    assert checkins(app, reg_id) == []


def test_unknown_code_says_so_with_404(desk, today_event):
    response = desk.post("/admin/events/today/checkin", data={"code": "ZZZZZZZZZZZZ"})

    assert response.status_code == 404
    assert heading(response.text) == (
        "No registration has the check-in code ZZZZZZZZZZZZ. Check the badge, or search by name.")


def test_badge_of_another_event_is_refused(app, desk, today_event, make_event):
    other = make_event(slug="other", title="Another meeting")
    reg_id, _, code = make_registration(app, other)

    response = desk.post("/admin/events/today/checkin", data={"code": code})

    assert response.status_code == 409
    assert heading(response.text) == "This badge is for another event: Another meeting."
    assert checkins(app, reg_id) == []


def test_empty_field_is_400(desk, today_event):
    response = desk.post("/admin/events/today/checkin", data={"code": "  "})
    assert response.status_code == 400
    assert heading(response.text) == "Scan a badge, or type a code or a name."


@pytest.mark.parametrize("typed", [
    "A" * 50_000, "%", "_", "\\", "<script>alert(1)</script>", "'; DROP TABLE x; --",
    "https://events.test/admin/events/today/checkin?code=", "\u202egnp.exe",
])
def test_bad_input_is_a_clear_4xx(desk, today_event, typed):
    response = desk.post("/admin/events/today/checkin", data={"code": typed})
    assert response.status_code == 404
    assert heading(response.text) == "No registration of this event matches that code or name."
    assert "<script>alert" not in response.text


def test_nul_typed_at_the_desk_is_refused_before_any_search(desk, today_event):
    # Refused for every form by the request guard (tests/test_hostile_input.py).
    response = desk.post("/admin/events/today/checkin", data={"code": "\x00"})
    assert (response.status_code, "The field “code” contains a NUL character, which is not allowed."
            in response.text) == (400, True)


def test_name_search_lists_matches_to_pick_from(app, desk, today_event):
    a_id, _, a_code = make_registration(app, today_event, "Anna", "Smithson")
    make_registration(app, today_event, "John", "Smith")
    make_registration(app, today_event, "Li", "Wei", native_name="李伟")

    response = desk.post("/admin/events/today/checkin", data={"code": "smith"})
    by_native = desk.post("/admin/events/today/checkin", data={"code": "李"})
    picked = desk.post("/admin/events/today/checkin", data={"code": a_code})

    assert response.status_code == 200
    assert re.findall(r"<strong>(.*?)</strong>", response.text) == ["John Smith", "Anna Smithson"]
    assert re.findall(r"<strong>(.*?)</strong>", by_native.text) == ["Li Wei"]
    assert heading(picked.text) == "Anna Smithson is checked in today."
    assert len(checkins(app, a_id)) == 1


def test_get_with_code_shows_the_person_and_checks_in_only_on_post(app, desk, today_event):
    reg_id, _, code = make_registration(app, today_event, "Carol", "Ng", category="speaker")

    response = desk.get(f"/admin/events/today/checkin?code={code}")

    assert response.status_code == 200
    assert heading(response.text) == "Check in this person?"
    assert "Speaker" in response.text
    assert checkins(app, reg_id) == []


# --- days and counts ------------------------------------------------------------------------


def test_two_day_event_counts_each_day_separately(app, desk, past_event):
    a_id, _, a = make_registration(app, past_event, "Alice", "Smith")
    _, _, b = make_registration(app, past_event, "Bob", "Jones")
    make_registration(app, past_event, "Carol", "Ng")
    _, _, w = make_registration(app, past_event, "Wait", "Listed", status=WAITLISTED)
    url = "/admin/events/ctwg-x/checkin"

    desk.post(url, data={"code": a, "day": "2020-02-10"})
    desk.post(url, data={"code": b, "day": "2020-02-10"})
    desk.post(url, data={"code": w, "day": "2020-02-10"})
    second_day = desk.post(url, data={"code": a, "day": "2020-02-11"})
    again = desk.post(url, data={"code": a, "day": "2020-02-10"})

    assert heading(second_day.text) == "Alice Smith is checked in for 11 February 2020."
    assert heading(again.text) == "Alice Smith is already checked in for 10 February 2020."
    assert checkins(app, a_id) == [date(2020, 2, 10), date(2020, 2, 11)]
    assert counts(again.text) == [("Monday 10 February 2020", "2 / 3"),
                                  ("Tuesday 11 February 2020", "1 / 3")]
    # The day chosen stays chosen for the next scan.
    assert '<option value="2020-02-10" selected>' in again.text


def test_day_outside_the_event_is_400(app, desk, past_event):
    reg_id, _, code = make_registration(app, past_event)
    response = desk.post("/admin/events/ctwg-x/checkin", data={"code": code, "day": "2021-01-01"})
    assert response.status_code == 400
    assert heading(response.text) == "Choose one of the event's days."
    assert checkins(app, reg_id) == []


def test_event_without_dates_cannot_check_in(app, desk, make_event):
    make_event(slug="tbc", start_date=None, end_date=None, tentative_month="2020-08")
    _, _, code = make_registration(app, 1)
    response = desk.post("/admin/events/tbc/checkin", data={"code": code})
    assert response.status_code == 409
    assert heading(response.text) == (
        "This event has no confirmed dates yet, so nobody can be checked in.")


def test_desk_page_has_autofocused_code_field_and_day_choice(desk, past_event):
    response = desk.get("/admin/events/ctwg-x/checkin")
    assert response.status_code == 200
    assert re.search(r'<input id="code" name="code" type="text" autofocus', response.text)
    assert re.findall(r'<option value="([\d-]+)"', response.text) == ["2020-02-10", "2020-02-11"]


# --- access ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, today_event):
    response = client.get("/admin/events/today/checkin")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("role", "limited_to_event", "expected"), [
    ("checkin", True, 200), ("checkin", False, 403), ("organiser", True, 200),
    ("organiser", False, 403), ("admin", False, 200),
])
def test_access_by_role_and_event(app, client, make_event, today_event, role, limited_to_event,
                                  expected):
    other = make_event(slug="elsewhere")
    login(app, client, make_user(app, role, (today_event if limited_to_event else other,)))
    assert client.get("/admin/events/today/checkin").status_code == expected


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_post_without_csrf_token_is_400_and_checks_nobody_in(app, desk, today_event):
    reg_id, _, code = make_registration(app, today_event)
    response = desk.post("/admin/events/today/checkin", data={"code": code})
    assert response.status_code == 400
    assert checkins(app, reg_id) == []


# --- not admitted, undo, reprint (issue 15) ---------------------------------------------------


def verdict(page: str) -> str:
    match = re.search(r'<p class="checkin-verdict"[^>]*>.*?</span>\s*(.*?)</p>', page, re.S)
    return html.unescape(match.group(1).strip()) if match else ""


def audit_entries(app) -> list[tuple[str, str, dict]]:
    from eventsapp.models import AuditEntry

    with app.app_context():
        return [(e.action, e.actor, e.details) for e in db.session.scalars(
            select(AuditEntry).order_by(AuditEntry.id))]


@pytest.mark.parametrize(("status", "reason"), [
    (WAITLISTED, "on the waiting list"), (CANCELLED, "registration cancelled"),
])
def test_name_results_refuse_who_is_not_admitted_without_a_button(app, desk, today_event, status,
                                                                    reason):
    ok_id, _, ok_code = make_registration(app, today_event, "Olivia", "Hartley")
    no_id, _, no_code = make_registration(app, today_event, "Oscar", "Hartley", status=status)

    response = desk.post("/admin/events/today/checkin", data={"code": "hartley"})

    assert response.status_code == 200
    rows = re.findall(r'<li class="([^"]*)">(.*?)</li>', response.text, re.S)
    assert [cls for cls, _ in rows] == ["", "not-admitted"]
    olivia, oscar = (row for _, row in rows)
    assert "Check in<span" in olivia and ok_code in olivia
    assert "✕ Not admitted: " + reason in oscar
    assert "<button" not in oscar and no_code not in oscar
    assert checkins(app, no_id) == []


def test_name_results_say_who_is_already_checked_in(app, desk, today_event):
    _, _, code = make_registration(app, today_event, "Olivia", "Hartley")
    desk.post("/admin/events/today/checkin", data={"code": code})

    response = desk.post("/admin/events/today/checkin", data={"code": "olivia"})

    (row,) = re.findall(r'<li class="">(.*?)</li>', response.text, re.S)
    assert "↺ Already checked in" in row and "<button" not in row


@pytest.mark.parametrize("status", [WAITLISTED, CANCELLED])
def test_camera_url_of_a_person_not_admitted_shows_the_refusal_and_no_button(app, desk,
                                                                             today_event, status):
    _, _, code = make_registration(app, today_event, "Bob", "Lee", status=status)

    response = desk.get(f"/admin/events/today/checkin?code={code}")

    assert response.status_code == 409
    assert verdict(response.text) == "Not admitted"
    assert heading(response.text).startswith("Not admitted: ")
    assert 'role="alert"' in response.text
    assert "Check in Bob Lee" not in response.text and "Reprint badge" not in response.text


@pytest.mark.parametrize(("kind", "word"), [("admitted", "Admitted"),
                                            ("already", "Already checked in")])
def test_each_result_has_its_colour_class_and_a_verdict_in_words(app, desk, today_event, kind,
                                                                 word):
    _, _, code = make_registration(app, today_event)
    if kind == "already":
        desk.post("/admin/events/today/checkin", data={"code": code})
    response = desk.post("/admin/events/today/checkin", data={"code": code})
    assert f'<section class="checkin-result checkin-{kind}"' in response.text
    assert f'<div class="checkin-flash checkin-flash-{kind}" aria-hidden="true">' in response.text
    assert verdict(response.text) == word


def test_undo_takes_back_the_last_check_in_and_is_audited(app, client, today_event):
    user_id = make_user(app, "checkin", (today_event,))
    login(app, client, user_id)
    reg_id, _, code = make_registration(app, today_event, "Olivia", "Hartley")
    checked = client.post("/admin/events/today/checkin", data={"code": code})
    checkin_id = re.search(r'name="checkin_id" value="(\d+)"', checked.text).group(1)
    assert "Undo this check-in" in checked.text

    undone = client.post("/admin/events/today/checkin/undo", data={"checkin_id": checkin_id})

    assert undone.status_code == 200
    assert verdict(undone.text) == "Check-in undone"
    assert heading(undone.text) == "Check-in undone: Olivia Hartley is not checked in today."
    assert checkins(app, reg_id) == []
    assert "Undo this check-in" not in undone.text
    ((action, actor, details),) = audit_entries(app)
    assert action == "checkin_undone" and actor.startswith("checkin-")
    assert details["day"] == datetime.now(ZoneInfo(TZ)).date().isoformat()
    assert details["checked_in_by_user_id"] == user_id
    # Checked in again after the undo: a new, undoable check-in.
    again = client.post("/admin/events/today/checkin", data={"code": code})
    assert heading(again.text) == "Olivia Hartley is checked in today."


def test_undo_twice_changes_nothing_the_second_time(app, desk, today_event):
    _, _, code = make_registration(app, today_event)
    checked = desk.post("/admin/events/today/checkin", data={"code": code})
    checkin_id = re.search(r'name="checkin_id" value="(\d+)"', checked.text).group(1)
    desk.post("/admin/events/today/checkin/undo", data={"checkin_id": checkin_id})

    second = desk.post("/admin/events/today/checkin/undo", data={"checkin_id": checkin_id})

    assert second.status_code == 409
    assert heading(second.text) == "There is no such check-in any more: it was undone already."
    assert [a for a, _, _ in audit_entries(app)] == ["checkin_undone"]


def test_door_staff_cannot_undo_another_desk_s_check_in_but_an_organiser_can(app, client,
                                                                            today_event):
    _, _, code = make_registration(app, today_event)
    login(app, client, make_user(app, "checkin"))
    checked = client.post("/admin/events/today/checkin", data={"code": code})
    checkin_id = re.search(r'name="checkin_id" value="(\d+)"', checked.text).group(1)

    login(app, client, make_user(app, "checkin"))
    refused = client.post("/admin/events/today/checkin/undo", data={"checkin_id": checkin_id})
    login(app, client, make_user(app, "organiser", (today_event,)))
    allowed = client.post("/admin/events/today/checkin/undo", data={"checkin_id": checkin_id})

    assert refused.status_code == 403
    assert heading(refused.text) == (
        "This check-in was made at another desk: ask an organiser to undo it.")
    assert allowed.status_code == 200
    assert [a for a, _, _ in audit_entries(app)] == ["checkin_undone"]


def test_a_check_in_of_another_event_cannot_be_undone_from_this_desk(app, desk, today_event,
                                                                   make_event):
    make_event(slug="other")
    _, _, code = make_registration(app, today_event)
    checked = desk.post("/admin/events/today/checkin", data={"code": code})
    checkin_id = re.search(r'name="checkin_id" value="(\d+)"', checked.text).group(1)

    response = desk.post("/admin/events/other/checkin/undo", data={"checkin_id": checkin_id})

    assert response.status_code == 409
    assert len(checkins(app, 1)) == 1


@pytest.mark.parametrize("value", ["", "x", "-1", "1" * 40])
def test_undo_of_something_that_is_not_a_check_in_id_is_400(desk, today_event, value):
    response = desk.post("/admin/events/today/checkin/undo", data={"checkin_id": value})
    assert response.status_code == 400


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_undo_without_csrf_token_is_400(app, desk, today_event):
    reg_id, _, code = make_registration(app, today_event)
    with app.app_context():
        from eventsapp.models import Event, Registration
        reg = db.session.get(Registration, reg_id)
        services.check_in(reg, services.local_today(db.session.get(Event, today_event)),
                          user=None)
    response = desk.post("/admin/events/today/checkin/undo", data={"checkin_id": "1"})
    assert response.status_code == 400
    assert len(checkins(app, reg_id)) == 1


def test_desk_reprints_a_badge_and_records_the_reprint(app, client, today_event):
    from pypdf import PdfReader

    login(app, client, make_user(app, "checkin", (today_event,)))
    reg_id, _, code = make_registration(app, today_event, "Olivia", "Hartley")
    checked = client.post("/admin/events/today/checkin", data={"code": code})
    form = re.search(r'<form method="post" action="(/admin/registrations/\d+/badge.pdf)" '
                     r'class="checkin-reprint">', checked.text)
    assert form.group(1) == f"/admin/registrations/{reg_id}/badge.pdf"

    pdf = client.post(form.group(1), data={"layout": "a6x4"})

    assert pdf.mimetype == "application/pdf"
    assert len(PdfReader(__import__("io").BytesIO(pdf.data)).pages) == 1
    assert [a for a, _, _ in audit_entries(app)] == ["badge_printed"]
    again = client.post(form.group(1), data={"layout": "a6"})
    assert again.status_code == 200
    assert [a for a, _, _ in audit_entries(app)] == ["badge_printed", "badge_reprinted"]


def test_desk_offers_no_reprint_for_a_badge_of_another_event(app, desk, today_event,
                                                           make_event):
    other = make_event(slug="other", title="Another meeting")
    _, _, code = make_registration(app, other)
    response = desk.post("/admin/events/today/checkin", data={"code": code})
    assert "Reprint badge" not in response.text
