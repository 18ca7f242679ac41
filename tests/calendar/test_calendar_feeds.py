"""Feed routes on a real database: conditional GETs, change signalling, personal feeds (C6–C9)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from eventsapp.agenda.services import publish_agenda
from eventsapp.extensions import db
from eventsapp.models import AgendaItem, Event, Registration, WorkPlan
from eventsapp.tokens import derive_feed_token, hash_token, new_checkin_code, new_token
from tests.calendar.samples import events_by_uid, parse_everywhere

CALENDAR_TYPE = "text/calendar; charset=utf-8"


@pytest.fixture
def plan(app) -> int:
    with app.app_context():
        wp = WorkPlan(group_name="Counter-Terrorism Working Group", group_abbr="CTWG",
                      year=2030, title="Work Plan for 2030")
        db.session.add(wp)
        db.session.commit()
        return wp.id


@pytest.fixture
def kl_event(app, make_event, plan) -> int:
    """A published two-day meeting in Kuala Lumpur with a published two-item agenda."""
    event_id = make_event(slug="kl", title="KL meeting", work_plan_id=plan, venue_name="KLCC",
                          city="Kuala Lumpur", venue_economy="MAS")
    with app.app_context():
        ev = db.session.get(Event, event_id)
        add_items(ev, ("Opening", 1, 2), ("Closing", 8, 9))
        publish_agenda(ev)
        db.session.commit()
    backdate(app, 60)
    return event_id


def backdate(app, seconds: int) -> None:
    """Move every change `seconds` into the past, as if time had passed since.

    A Last-Modified in the current second is withheld (see calendar.http), so
    tests that look at it let time "pass" this way instead of sleeping.
    """
    with app.app_context():
        for model in (Event, Registration):
            for row in db.session.scalars(select(model)):
                row.updated_at -= timedelta(seconds=seconds)
        db.session.commit()


def add_items(ev: Event, *items: tuple[str, int, int]) -> None:
    for title, start_h, end_h in items:
        db.session.add(AgendaItem(
            event=ev, title=title, room="Hall A",
            starts_at=datetime(2030, 3, 4, start_h, tzinfo=UTC),
            ends_at=datetime(2030, 3, 4, end_h, tzinfo=UTC)))
    db.session.flush()


def edit_and_publish(app, event_id: int, title: str, **changes) -> None:
    with app.app_context():
        ev = db.session.get(Event, event_id)
        item = db.session.scalar(select(AgendaItem).where(AgendaItem.event_id == event_id,
                                                          AgendaItem.title == title))
        if changes.pop("delete", False):
            db.session.delete(item)
        else:
            for name, value in changes.items():
                setattr(item, name, value)
            item.sequence += 1
            item.updated_at = datetime.now(UTC)
        db.session.flush()
        db.session.expire(ev, ["agenda_items"])
        publish_agenda(ev)
        db.session.commit()
    backdate(app, 30)


def register(app, event_id: int, email: str, status: str = "confirmed") -> str:
    """A registration made directly; returns its management token."""
    token = new_token()
    with app.app_context():
        db.session.add(Registration(
            event_id=event_id, given_name="Test", family_name="Person", email=email,
            email_normalized=email.lower(), token_hash=hash_token(token),
            feed_token_hash=hash_token(derive_feed_token(token, 1)),
            checkin_code=new_checkin_code(), status=status))
        db.session.commit()
    return token


def feed_path(token: str, version: int = 1) -> str:
    return f"/registrations/{derive_feed_token(token, version)}/calendar.ics"


def uids(response) -> list[str]:
    return sorted(events_by_uid(parse_everywhere(response.data)))


# --- public feeds ----------------------------------------------------------------------------


def test_event_feed_is_a_calendar_with_etag_and_last_modified(client, kl_event):
    response = client.get("/events/kl/calendar.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == CALENDAR_TYPE
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Content-Disposition"] == 'inline; filename="kl.ics"'
    assert response.headers["ETag"].startswith('"')  # strong: no W/ prefix
    assert response.last_modified is not None
    assert uids(response) == [f"event-{kl_event}-item-{i}@events.test" for i in (1, 2)]


def test_repeated_request_with_etag_gets_304_and_identical_bytes_otherwise(client, kl_event):
    first = client.get("/events/kl/calendar.ics")

    again = client.get("/events/kl/calendar.ics")
    conditional = client.get("/events/kl/calendar.ics",
                             headers={"If-None-Match": first.headers["ETag"]})
    by_date = client.get("/events/kl/calendar.ics",
                         headers={"If-Modified-Since": first.headers["Last-Modified"]})

    assert again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert (conditional.status_code, conditional.data) == (304, b"")
    assert conditional.headers["ETag"] == first.headers["ETag"]
    assert by_date.status_code == 304


def test_stale_etag_wins_over_a_current_if_modified_since(client, kl_event):
    first = client.get("/events/kl/calendar.ics")

    response = client.get("/events/kl/calendar.ics", headers={
        "If-None-Match": '"stale"', "If-Modified-Since": first.headers["Last-Modified"]})

    assert response.status_code == 200


def test_304_path_reads_no_agenda_rows(app, client, kl_event):
    etag = client.get("/events/kl/calendar.ics").headers["ETag"]
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        sa_event.listen(db.engine, "before_cursor_execute", record)
        try:
            response = client.get("/events/kl/calendar.ics", headers={"If-None-Match": etag})
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", record)

    assert response.status_code == 304
    assert [s for s in statements if "agenda_item" in s] == []


def test_edited_item_gets_higher_sequence_same_uid_new_etag_later_last_modified(app, client,
                                                                                kl_event):
    before = client.get("/events/kl/calendar.ics")
    uid = f"event-{kl_event}-item-1@events.test"
    old = events_by_uid(parse_everywhere(before.data))[uid]

    edit_and_publish(app, kl_event, "Opening", room="Hall B",
                     starts_at=datetime(2030, 3, 4, 2, tzinfo=UTC),
                     ends_at=datetime(2030, 3, 4, 3, tzinfo=UTC))
    after = client.get("/events/kl/calendar.ics",
                       headers={"If-None-Match": before.headers["ETag"]})

    new = events_by_uid(parse_everywhere(after.data))[uid]
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.last_modified > before.last_modified
    assert (old["SEQUENCE"], new["SEQUENCE"]) == (0, 1)
    assert str(new["LOCATION"]) == "Hall B, KLCC, Kuala Lumpur, Malaysia"
    assert new.decoded("DTSTART").astimezone(UTC) == datetime(2030, 3, 4, 2, tzinfo=UTC)


def test_deleted_item_stays_cancelled_and_last_modified_moves_forward(app, client, kl_event):
    before = client.get("/events/kl/calendar.ics")

    edit_and_publish(app, kl_event, "Closing", delete=True)
    after = client.get("/events/kl/calendar.ics",
                       headers={"If-Modified-Since": before.headers["Last-Modified"],
                                "If-None-Match": before.headers["ETag"]})

    closing = events_by_uid(parse_everywhere(after.data))[f"event-{kl_event}-item-2@events.test"]
    assert after.status_code == 200
    assert after.last_modified > before.last_modified
    assert closing["STATUS"] == "CANCELLED"
    assert closing["SUMMARY"] == "Cancelled: Closing"
    assert closing["SEQUENCE"] == 1


def test_last_modified_is_withheld_in_the_second_of_a_change(app, client, kl_event):
    # On the real clock: a try that straddles a second's boundary proves nothing, so the
    # test tries again (a loaded machine may straddle one now and then, never five times).
    for _ in range(5):
        with app.app_context():
            ev = db.session.get(Event, kl_event)
            ev.touch()
            db.session.commit()
            changed = ev.updated_at.replace(microsecond=0)
        response = client.get("/events/kl/calendar.ics")
        if datetime.now(UTC).replace(microsecond=0) == changed:
            break
    else:
        pytest.fail("no try fell within one second")

    assert response.status_code == 200
    assert "Last-Modified" not in response.headers
    assert response.headers["ETag"]


def test_event_without_agenda_is_one_all_day_entry(client, make_event, plan):
    event_id = make_event(slug="ws", work_plan_id=plan, start_date=date(2030, 6, 10),
                          end_date=date(2030, 6, 12))

    response = client.get("/events/ws/calendar.ics")

    cal = parse_everywhere(response.data)
    (entry,) = cal.walk("VEVENT")
    assert str(entry["UID"]) == f"event-{event_id}@events.test"
    assert b"DTSTART;VALUE=DATE:20300610\r\nDTEND;VALUE=DATE:20300613\r\n" in response.data


def test_draft_and_unknown_events_have_no_feed(client, make_event, plan):
    make_event(slug="secret", status="draft", work_plan_id=plan)

    assert client.get("/events/secret/calendar.ics").status_code == 404
    assert client.get("/events/nope/calendar.ics").status_code == 404


def test_programme_feed_lists_public_events_with_days_or_a_month(client, make_event, plan,
                                                                 kl_event):
    tbc = make_event(slug="tbc", work_plan_id=plan, start_date=None, end_date=None,
                     tentative_month="2030-08")
    make_event(slug="undated", work_plan_id=plan, start_date=None, end_date=None)
    make_event(slug="draft", work_plan_id=plan, status="draft")
    gone = make_event(slug="off", work_plan_id=plan, status="cancelled")

    response = client.get("/calendar.ics")

    assert response.headers["Content-Type"] == CALENDAR_TYPE
    cal = parse_everywhere(response.data)
    assert sorted(events_by_uid(cal)) == sorted([f"event-{kl_event}@events.test",
                                                 f"event-{tbc}@events.test",
                                                 f"event-{gone}@events.test"])
    assert events_by_uid(cal)[f"event-{gone}@events.test"]["STATUS"] == "CANCELLED"
    assert events_by_uid(cal)[f"event-{tbc}@events.test"]["STATUS"] == "TENTATIVE"
    assert str(cal["X-WR-CALNAME"]) == "CTWG 2030 events"


def test_programme_feed_with_agenda_has_the_sessions(client, kl_event):
    response = client.get("/calendar.ics?agenda=1")

    assert uids(response) == [f"event-{kl_event}-item-{i}@events.test" for i in (1, 2)]
    assert response.headers["ETag"] != client.get("/calendar.ics").headers["ETag"]


def test_unpublishing_an_event_changes_the_programme_feed(app, client, kl_event, make_event,
                                                          plan):
    other = make_event(slug="other", work_plan_id=plan)
    backdate(app, 60)
    before = client.get("/calendar.ics")
    with app.app_context():
        ev = db.session.get(Event, other)
        ev.status = "draft"
        ev.touch()
        db.session.commit()
    backdate(app, 30)

    after = client.get("/calendar.ics", headers={
        "If-Modified-Since": before.headers["Last-Modified"]})

    assert after.status_code == 200
    assert after.last_modified > before.last_modified
    assert uids(after) == [f"event-{kl_event}@events.test"]


def test_uids_use_the_configured_domain_whatever_the_host_header(app, client, kl_event):
    app.config["SERVER_NAME"] = None

    response = client.get("/events/kl/calendar.ics", headers={"Host": "evil.example"})

    assert uids(response) == [f"event-{kl_event}-item-{i}@eventsapp" for i in (1, 2)]


def test_single_item_download(client, kl_event):
    response = client.get("/events/kl/agenda/2.ics")

    assert response.headers["Content-Type"] == CALENDAR_TYPE
    assert response.headers["Content-Disposition"] == 'attachment; filename="kl-2.ics"'
    cal = parse_everywhere(response.data)
    assert str(cal["METHOD"]) == "PUBLISH"
    assert uids(response) == [f"event-{kl_event}-item-2@events.test"]


def test_single_item_of_another_event_or_unpublished_is_404(app, client, kl_event, make_event,
                                                           plan):
    make_event(slug="b", work_plan_id=plan)
    with app.app_context():
        add_items(db.session.get(Event, kl_event), ("Draft only", 3, 4))
        db.session.commit()

    assert client.get("/events/b/agenda/1.ics").status_code == 404
    assert client.get("/events/kl/agenda/3.ics").status_code == 404
    assert client.get("/events/kl/agenda/99.ics").status_code == 404


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "RATELIMIT_MANAGE": "2 per minute"}])
def test_feed_is_not_rate_limited_at_sixty_per_minute(app, client, kl_event):
    statuses = {client.get("/events/kl/calendar.ics").status_code for _ in range(61)}

    assert statuses == {200}
    # The limiter is on in this app: a limited route from the same client is refused.
    guesses = [client.get(f"/registrations/{'D' * 43}").status_code for _ in range(3)]
    assert guesses == [404, 404, 429]


# --- personal feeds --------------------------------------------------------------------------


@pytest.fixture
def two_events(app, make_event, plan, kl_event) -> tuple[int, int]:
    other = make_event(slug="bkk", title="Bangkok workshop", work_plan_id=plan,
                       timezone="Asia/Bangkok", start_date=date(2030, 9, 1),
                       end_date=date(2030, 9, 2))
    return kl_event, other


def test_personal_feed_shows_only_its_own_registration_never_others_of_the_same_email(
        app, client, two_events):
    kl, bkk = two_events
    alice = register(app, kl, "Alice@Example.org")
    # Someone else registering with Alice's address must not learn where Alice goes.
    impostor = register(app, bkk, "alice@example.org")
    waiting = register(app, kl, "bob@example.org", status="waitlisted")

    alice_feed = client.get(feed_path(alice))

    assert uids(alice_feed) == sorted([f"event-{kl}-item-1@events.test",
                                       f"event-{kl}-item-2@events.test"])
    assert uids(client.get(feed_path(impostor))) == [f"event-{bkk}@events.test"]
    assert uids(client.get(feed_path(waiting))) == []
    assert alice_feed.headers["Content-Type"] == CALENDAR_TYPE
    assert alice_feed.headers["Cache-Control"] == "private, max-age=3600"
    assert alice_feed.headers["Referrer-Policy"] == "no-referrer"
    for token in (alice, derive_feed_token(alice, 1)):
        assert token.encode() not in alice_feed.data
    assert b"example.org" not in alice_feed.data


def test_personal_feed_answers_304_and_drops_a_cancelled_registration(app, client, two_events):
    kl, bkk = two_events
    alice = register(app, kl, "alice@example.org")
    backdate(app, 60)
    first = client.get(feed_path(alice))
    assert client.get(feed_path(alice), headers={
        "If-None-Match": first.headers["ETag"]}).status_code == 304

    with app.app_context():
        reg = db.session.scalar(select(Registration).where(Registration.event_id == kl))
        reg.status = "cancelled"
        reg.updated_at = datetime.now(UTC)
        db.session.commit()
    backdate(app, 30)
    after = client.get(feed_path(alice), headers={
        "If-None-Match": first.headers["ETag"],
        "If-Modified-Since": first.headers["Last-Modified"]})

    assert after.status_code == 200
    assert after.last_modified > first.last_modified
    assert uids(after) == []



def test_wrong_truncated_or_management_tokens_get_the_same_404(app, client, kl_event):
    token = register(app, kl_event, "alice@example.org")
    feed_token = derive_feed_token(token, 1)
    unknown = client.get("/registrations/" + "A" * 43 + "/calendar.ics")

    for bad in [feed_token[:-1], feed_token + "=", feed_token.upper(), token, "x" * 500]:
        response = client.get(f"/registrations/{bad}/calendar.ics")
        assert (response.status_code, response.data) == (404, unknown.data)
    assert unknown.status_code == 404


def test_reset_gives_a_new_feed_url_and_the_old_one_is_404(app, client, kl_event):
    token = register(app, kl_event, "alice@example.org")
    assert client.get(feed_path(token)).status_code == 200

    response = client.post(f"/registrations/{token}/calendar/reset")

    assert response.status_code == 303
    assert response.headers["Location"] == f"/registrations/{token}"
    assert client.get(feed_path(token, 1)).status_code == 404
    assert client.get(feed_path(token, 2)).status_code == 200
    with app.app_context():
        reg = db.session.scalar(select(Registration))
        assert reg.feed_token_version == 2


def test_reset_with_unknown_token_is_404(client, kl_event):
    assert client.post("/registrations/" + "B" * 43 + "/calendar/reset").status_code == 404


def test_reset_flashes_a_message(app, client, kl_event):
    token = register(app, kl_event, "alice@example.org")

    client.post(f"/registrations/{token}/calendar/reset")

    with client.session_transaction() as session:
        assert [m for _, m in session["_flashes"]] == [
            "Your calendar link has been reset. The old link has stopped working: subscribe "
            "again with the new link below, and remove the old calendar from your apps."]


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_reset_without_csrf_token_is_400_and_keeps_the_link(app, client, kl_event):
    token = register(app, kl_event, "alice@example.org")

    response = client.post(f"/registrations/{token}/calendar/reset")

    assert response.status_code == 400
    assert client.get(feed_path(token, 1)).status_code == 200


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "RATELIMIT_MANAGE": "2 per minute"}])
def test_reset_shares_the_management_link_rate_limit(app, client, kl_event):
    token = "C" * 43

    statuses = [client.post(f"/registrations/{token}/calendar/reset").status_code
                for _ in range(3)]

    assert statuses == [404, 404, 429]
