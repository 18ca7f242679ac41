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
    assert (response.status_code, "The form contains a NUL character, which is not allowed."
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
