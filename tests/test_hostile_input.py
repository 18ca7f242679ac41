"""No 500 from any input (issue 13): NUL, lone surrogates, deep JSON, dates at the ends of time.

A walk over every route of the URL map sends the hostile values in path segments,
query strings, form bodies and JSON bodies, signed in as an administrator and with
a staff API token, on each database; no answer may be a server error and no row
may change. Focused tests then pin the exact answer for each kind of input.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from eventsapp.agenda.services import AgendaError, ItemData, add_item, check_item
from eventsapp.auth.services import create_api_token, create_user
from eventsapp.extensions import db
from eventsapp.models import ADMIN, AgendaItem, ApiToken, Event, Registration
from eventsapp.registration.services import register
from eventsapp.registration.validation import ValidationFailed, clean_registration
from eventsapp.request_guard import MAX_JSON_DEPTH, json_too_deep
from eventsapp.tokens import derive_feed_token
from tests.auth.fixtures import PASSWORD, sign_in
from tests.support import table_checksums

DATE_RANGE = "Enter a date between 1970-01-01 and 2200-12-31."
CONTROL = "must not contain line breaks or control characters."
PERSON = {"given_name": "Ana", "family_name": "Lee", "email": "ana@example.org",
          "economy": "MAS", "organisation": "Ministry", "sector": "government",
          "category": "delegate"}

# Hostile values as they travel in a URL or a urlencoded body (percent-encoded bytes).
NUL = "a%00b"
SURROGATE = "a%ED%A0%80b"  # U+D800 encoded as if it were a character: not UTF-8
REFUSED_IN_URLS = (NUL, SURROGATE)
# In the path, as a server hands it over (decoded bytes as latin-1): Werkzeug's test client
# would turn the encoded surrogate into U+FFFD before the application saw it.
REFUSED_IN_PATHS = {"a%00b": None, "a\xed\xa0\x80b": "PATH_INFO"}
# Values a page may read from its query string; each must be a 4xx or a normal page.
EXTREME_QUERY_VALUES = ("0001-01-01", "9999-12-31", "0001-01-01T00%3A00%3A00%2B14%3A00",
                        "9999-12-31T23%3A59%3A59-14%3A00", "99999999999999999999", "-1")
QUERY_NAMES = ("day", "page", "code", "q", "event", "next", "agenda", "status", "economy",
               "category", "layout", "not_printed", "year")
FORM_NAMES = ("title", "day", "start", "end", "time", "item_id", "minutes", "room", "chairs",
              "speakers", "description", "status", "kind", "slug", "start_date", "end_date",
              "tentative_month", "registration_opens_at", "registration_closes_at",
              "timezone", "capacity", "given_name", "family_name", "email", "economy",
              "organisation", "sector", "category", "code", "reason", "password",
              "current_password", "new_password", "confirm_password", "name", "role",
              "narrative", "csrf_token")
DATE_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
EXTREME_INSTANTS = ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00")
DEEP_ARRAY = "[" * 100_000
DEEP_OBJECT = '{"a":' * 100_000
SUBMIT = ("POST", "PUT", "PATCH", "DELETE")


def json_bodies() -> dict[str, str | bytes]:
    """Bodies the JSON parser refuses, each putting its value in every field we know."""
    def every_field(value: str) -> str:
        return "{" + ", ".join(f'"{name}": "{value}"' for name in FORM_NAMES) + "}"

    return {"nul": every_field("a\\u0000b"), "surrogate": every_field("\\ud800"),
            "raw surrogate bytes": every_field("x").encode().replace(b'"x"', b'"\xed\xa0\x80"'),
            "deep array": DEEP_ARRAY, "deep object": DEEP_OBJECT}


@pytest.fixture
def admin(app):
    """A client signed in as an administrator."""
    with app.app_context():
        create_user("admin@example.org", PASSWORD, ADMIN)
    client = app.test_client()
    assert sign_in(client, "admin@example.org").status_code == 303
    return client


def staff_token(app) -> dict[str, str]:
    """Headers with a personal API token of another administrator."""
    with app.app_context():
        staff = create_user("staff@example.org", PASSWORD, ADMIN)
        return {"Authorization": f"Bearer {create_api_token(staff, 'test')}"}


@pytest.fixture
def site(seeded, admin, make_event):
    """The seeded app with one more event holding an agenda item and a registration;
    returns (admin client, API headers, sample value per URL variable)."""
    make_event(slug="walk")
    api_headers = staff_token(seeded)
    with seeded.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "walk"))
        item, _ = add_item(event, ItemData(
            title="Opening", starts_at=datetime(2030, 3, 4, 1, tzinfo=UTC),
            ends_at=datetime(2030, 3, 4, 2, tzinfo=UTC), room="Hall A"), user=None)
        registered = register(event, clean_registration(PERSON), notify=False)
        token = db.session.scalar(select(ApiToken).order_by(ApiToken.id.desc()))
        samples = {
            "slug": "walk", "token": registered.token,
            "feed_token": derive_feed_token(registered.token, 1), "item_id": str(item.id),
            "reg_id": str(registered.registration.id), "user_id": str(token.user_id),
            "token_id": str(token.id), "year": "2020", "number": "1.5",
            "filename": "css/app.css",
        }
    return admin, api_headers, samples


def url_for_rule(rule, samples: dict[str, str], **hostile: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>",
                  lambda m: hostile.get(m.group(1), samples.get(m.group(1), "1")), rule.rule)


def routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def checksums(app) -> dict:
    """Row count and checksum of every table; of api_token the count only, since every
    request carrying a token records when it was last used."""
    sums = table_checksums(app.config["SQLALCHEMY_DATABASE_URI"])
    sums["api_token"] = sums["api_token"].rows
    return sums


def test_every_route_refuses_hostile_input_without_a_server_error_or_a_write(site, seeded):
    client, api_headers, samples = site
    before = checksums(seeded)
    unexpected: list[tuple] = []
    walked: set[str] = set()

    def send(method: str, url: str, expected: int | None, **kwargs) -> None:
        headers = api_headers if url.startswith("/api/") else {}
        status = client.open(url, method=method, headers=headers, **kwargs).status_code
        if status >= 500 or (expected is not None and status != expected):
            unexpected.append((method, url[:80], kwargs.get("content_type", ""), status))

    for rule, method in routes(seeded):
        walked.add(rule.endpoint)
        base = url_for_rule(rule, samples)
        for name in rule.arguments:
            for value, override in REFUSED_IN_PATHS.items():
                url = url_for_rule(rule, samples, **{name: value})
                send(method, url, 400, environ_overrides={override: url} if override else {})
        for value in REFUSED_IN_URLS:
            send(method, base + "?" + "&".join(f"{n}={value}" for n in QUERY_NAMES), 400)
        if method == "GET":
            # Reading pages write nothing, whatever they are asked; actions are POSTs.
            for value in EXTREME_QUERY_VALUES:
                send(method, base + "?" + "&".join(f"{n}={value}" for n in QUERY_NAMES), None)
        if method not in SUBMIT:
            continue
        for value in REFUSED_IN_URLS:
            send(method, base, 400, data="&".join(f"{n}={value}" for n in FORM_NAMES),
                 content_type="application/x-www-form-urlencoded")
        send(method, base, 400, data={n: "a\x00b" for n in FORM_NAMES},
             content_type="multipart/form-data")
        is_api = base.startswith("/api/")
        for body in json_bodies().values():
            send(method, base, 400 if is_api else 415, data=body,
                 content_type="application/json")
        if is_api and method in ("POST", "PATCH"):  # DELETE would act, whatever the body
            for instant in EXTREME_INSTANTS:
                send(method, base, None, json={name: instant for name in DATE_FIELDS})

    assert unexpected == []
    assert walked == set(seeded.view_functions)  # the whole map was walked
    assert checksums(seeded) == before
    assert client.get("/admin/").status_code == 200  # still signed in: /logout refused too


def test_nul_in_registration_form_gives_400_and_no_row(client, make_event):
    make_event()
    response = client.post("/events/event-1/register", data={**PERSON, "given_name": "A\x00na"})
    assert (response.status_code, "The field “given_name” contains a NUL character, which is "
            "not allowed." in response.text) == (400, True)
    with client.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


@pytest.mark.parametrize("body, message", [
    ('"given_name": "A\\u0000na"', "The JSON body contains a NUL character, which is not "
                                    "allowed."),
    ('"given_name": "\\ud800"', "The JSON body holds a lone surrogate, which is not text."),
    ('"given_name": "Ana", "\\udfff": 1', "The JSON body holds a lone surrogate, which is not "
                                         "text."),
])
def test_nul_or_lone_surrogate_in_registration_json_gives_400_and_no_row(
        client, make_event, body, message):
    make_event()
    response = client.post("/api/v1/events/event-1/registrations", content_type="application/json",
                           data='{"family_name": "Lee", "email": "ana@example.org", ' + body + "}")
    assert (response.status_code, response.json) == (400, {"error": "Bad Request",
                                                            "message": message})
    with client.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


@pytest.mark.parametrize("url, data, message", [
    ("/events/event-1\xed\xa0\x80/register", None, "The address is not valid UTF-8 text"),
    ("/events/event-1/register?next=%ED%A0%80", None, "The query string is not valid UTF-8 text"),
    ("/events/event-1/register", "given_name=%ED%A0%80&family_name=Lee&email=a%40example.org",
     "The field “given_name” is not valid UTF-8 text"),
    ("/events/event-1/register", b"given_name=\xed\xa0\x80&family_name=Lee&email=a%40b.org",
     "The field “given_name” is not valid UTF-8 text"),
])
def test_encoded_surrogate_in_address_query_or_form_gives_400_and_no_row(
        client, make_event, url, data, message):
    make_event()
    path = url.split("?")[0]  # as a server hands it over: bytes as latin-1 (see REFUSED_IN_PATHS)
    response = client.post(url, data=data, content_type="application/x-www-form-urlencoded",
                           environ_overrides={"PATH_INFO": path})
    assert (response.status_code, message in response.text) == (400, True)
    with client.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT, "[" * (MAX_JSON_DEPTH + 1)])
def test_json_nested_too_deep_gives_400_before_parsing(client, make_event, body):
    make_event()
    response = client.post("/api/v1/events/event-1/registrations", data=body,
                           content_type="application/json")
    assert (response.status_code, response.json) == (400, {
        "error": "Bad Request",
        "message": f"The JSON body nests arrays or objects more than {MAX_JSON_DEPTH} levels "
                   "deep."})


def test_json_depth_is_counted_outside_strings_only():
    assert json_too_deep("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is False
    assert json_too_deep("[" * (MAX_JSON_DEPTH + 1)) is True
    assert json_too_deep('{"a": "' + "[" * 1000 + '"}') is False
    assert json_too_deep('["\\"' + "[" * 1000 + '"]') is False
    assert json_too_deep('["\\\\", ' + "[" * (MAX_JSON_DEPTH + 1)) is True


def test_json_posted_to_a_page_gives_415_and_no_row(client, make_event):
    make_event()
    response = client.post("/events/event-1/register", json=[1, 2])
    assert response.status_code == 415
    with client.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_audit_page_past_any_database_integer_is_refused_naming_the_field(app, admin):
    response = admin.get("/admin/audit?page=99999999999999999999")
    assert response.status_code == 422
    assert "Page: Number must be between 1 and 1000000." in response.text


# --- dates: one range for every field that takes one ------------------------------------------

EVENT_FORM = {"title": "17th CTWG meeting", "kind": "meeting", "status": "draft",
              "timezone": "Etc/GMT-14", "waitlist_enabled": "y", "lead_economy": "",
              "venue_economy": ""}
ITEM_FORM = {"title": "Opening", "kind": "plenary", "day": "2030-03-04", "start": "09:00",
             "end": "10:00", "room": "", "chairs": "", "speakers": "", "description": ""}


def field_errors(page: str) -> dict[str, str]:
    """Each field's error text as the page shows it next to the field."""
    return {name: html.unescape(text).strip() for name, text in
            re.findall(r'<p class="field-error" id="([a-z_]+)-error">(.*?)</p>', page, re.S)}


@pytest.mark.parametrize("field, value", [
    ("start_date", "0001-01-01"), ("start_date", "9999-12-31"), ("end_date", "9999-12-31"),
    ("tentative_month", "0001-01"), ("tentative_month", "9999-12"),
    ("registration_opens_at", "0001-01-01T00:00"),
    ("registration_closes_at", "9999-12-31T23:59"),
    ("registration_opens_at", "1969-12-31T23:59"), ("start_date", "2201-01-01"),
])
def test_new_event_date_outside_range_is_refused_with_field_named(app, admin, field,
                                                                   value):
    before = checksums(app)
    response = admin.post("/admin/events/new",
                                 data={**EVENT_FORM, "slug": "ctwg-17", field: value})
    assert (response.status_code, field_errors(response.text)) == (422, {field: DATE_RANGE})
    assert checksums(app) == before


def test_new_event_dates_at_the_ends_of_the_range_are_accepted(app, admin):
    response = admin.post("/admin/events/new", data={
        **EVENT_FORM, "slug": "ctwg-17", "start_date": "2200-12-30", "end_date": "2200-12-31",
        "registration_opens_at": "1970-01-01T00:00", "registration_closes_at": "2200-12-31T23:59"})
    assert response.status_code == 303
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "ctwg-17"))
        # At UTC+14 the first instant of 1970 is still 1969 in UTC: stored as it is.
        assert (event.start_date, event.end_date, event.registration_opens_at) == (
            date(2200, 12, 30), date(2200, 12, 31), datetime(1969, 12, 31, 10, tzinfo=UTC))


def test_edited_event_year_9999_is_refused_with_field_named(app, admin, make_event):
    make_event(slug="e")
    before = checksums(app)
    response = admin.post("/admin/events/e/edit", data={
        **EVENT_FORM, "timezone": "Etc/GMT+12", "registration_closes_at": "9999-12-31T23:59"})
    assert (response.status_code, field_errors(response.text)) == (
        422, {"registration_closes_at": DATE_RANGE})
    assert checksums(app) == before


@pytest.mark.parametrize("start_date", ["9999-12-31", "0001-01-01", "2200-12-31"])
def test_clone_to_dates_outside_range_is_refused_with_field_named(app, admin, make_event,
                                                                  start_date):
    # The source lasts two days, so a copy starting on 2200-12-31 would end in 2201.
    make_event(slug="e")
    before = checksums(app)
    response = admin.post("/admin/events/e/clone", data={
        "slug": "e2", "title": "Next", "start_date": start_date})
    assert (response.status_code, field_errors(response.text)) == (
        422, {"start_date": DATE_RANGE})
    assert checksums(app) == before


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1969-12-31"])
def test_agenda_item_year_1_or_9999_is_refused_with_field_named(app, admin, make_event,
                                                                day):
    make_event(slug="e", timezone="Etc/GMT-14")
    before = checksums(app)
    response = admin.post("/admin/events/e/agenda/new", data={**ITEM_FORM, "day": day})
    assert (response.status_code, field_errors(response.text)) == (422, {"day": DATE_RANGE})
    assert checksums(app) == before


def test_agenda_move_to_year_9999_is_refused_and_writes_nothing(app, admin, make_event):
    make_event(slug="e")
    admin.post("/admin/events/e/agenda/new", data=ITEM_FORM)
    with app.app_context():
        item_id = db.session.scalar(select(AgendaItem.id))
    before = checksums(app)
    response = admin.post("/admin/events/e/agenda/move", data={
        "item_id": item_id, "day": "9999-12-31", "time": "23:00"})
    assert (response.status_code, response.headers["Location"]) == (
        303, "/admin/events/e/agenda#item-1")
    assert checksums(app) == before


def test_duplicate_past_the_latest_date_is_refused_and_writes_nothing(app, admin,
                                                                     make_event):
    # At UTC-12 the item ends on 2201-01-01 in UTC, which is stored; its copy would end a
    # day later still.
    make_event(slug="e", timezone="Etc/GMT+12")
    added = admin.post("/admin/events/e/agenda/new", data={
        **ITEM_FORM, "day": "2200-12-31", "start": "10:00", "end": "23:00"})
    assert added.status_code == 303
    with app.app_context():
        item_id = db.session.scalar(select(AgendaItem.id))
    before = checksums(app)
    response = admin.post(f"/admin/events/e/agenda/{item_id}/duplicate",
                                 follow_redirects=True)
    assert (response.status_code, DATE_RANGE in response.text) == (200, True)
    assert checksums(app) == before


def test_agenda_day_in_query_outside_range_leaves_the_day_empty(admin, make_event):
    make_event(slug="e", start_date=None, end_date=None)
    response = admin.get("/admin/events/e/agenda/new?day=9999-12-31")
    assert (response.status_code, 'value="9999-12-31"' in response.text) == (200, False)


# --- the same through the API ---------------------------------------------------------------


@pytest.fixture
def api(app, make_event):
    make_event(slug="e")
    return app.test_client(), staff_token(app)


@pytest.mark.parametrize("instant", EXTREME_INSTANTS + ("1969-12-31T23:00:00+00:00",
                                                        "2201-01-01T00:00:00-14:00"))
def test_api_agenda_item_with_extreme_instants_is_422_with_fields_named(app, api, instant):
    client, auth = api
    before = checksums(app)
    response = client.post("/api/v1/events/e/agenda", headers=auth, json={
        "title": "Opening", "starts_at": instant, "ends_at": instant})
    assert (response.status_code, response.json) == (
        422, {"errors": {"starts_at": [DATE_RANGE], "ends_at": [DATE_RANGE]}})
    assert checksums(app) == before


def test_api_agenda_item_moved_to_year_9999_is_422_and_unchanged(app, api):
    client, auth = api
    created = client.post("/api/v1/events/e/agenda", headers=auth, json={
        "title": "Opening", "starts_at": "2030-03-04T09:00:00+08:00",
        "ends_at": "2030-03-04T10:00:00+08:00"})
    before = checksums(app)
    response = client.patch(f"/api/v1/agenda/{created.json['id']}", headers=auth,
                            json={"ends_at": "9999-12-31T23:59:59-14:00"})
    assert (response.status_code, response.json) == (422, {"errors": {"ends_at": [DATE_RANGE]}})
    assert checksums(app) == before


@pytest.mark.parametrize("field", ["registration_opens_at", "registration_closes_at"])
@pytest.mark.parametrize("instant", EXTREME_INSTANTS)
def test_api_registration_window_at_the_ends_of_time_is_422_with_field_named(app, api, field,
                                                                             instant):
    client, auth = api
    before = checksums(app)
    response = client.patch("/api/v1/events/e", headers=auth, json={field: instant})
    assert (response.status_code, response.json) == (422, {"errors": {field: [DATE_RANGE]}})
    assert checksums(app) == before


# --- organisers' text: the registrants' rule ---------------------------------------------------


@pytest.mark.parametrize("field, label", [
    ("title", "The title"), ("room", "The room"), ("description", "The description"),
])
@pytest.mark.parametrize("text", ["\x1b[31mred", "exe.\u202efdp", "a\u2066b", "a\u2028b"])
def test_api_agenda_text_with_control_or_bidi_characters_is_422(app, api, field, label, text):
    client, auth = api
    before = checksums(app)
    response = client.post("/api/v1/events/e/agenda", headers=auth, json={
        "title": "Opening", "starts_at": "2030-03-04T09:00:00+08:00",
        "ends_at": "2030-03-04T10:00:00+08:00", field: text})
    message = (f"{label} must not contain control characters." if field == "description"
               else f"{label} {CONTROL}")
    assert (response.status_code, response.json) == (422, {"errors": {field: [message]}})
    assert checksums(app) == before


@pytest.mark.parametrize("field", ["chairs", "speakers"])
def test_api_agenda_names_with_bidi_override_are_422(app, api, field):
    client, auth = api
    response = client.post("/api/v1/events/e/agenda", headers=auth, json={
        "title": "Opening", "starts_at": "2030-03-04T09:00:00+08:00",
        "ends_at": "2030-03-04T10:00:00+08:00", field: ["Dr Lim", "Dr \u202eLim"]})
    assert (response.status_code, response.json) == (
        422, {"errors": {field: [f"Each name {CONTROL}"]}})


def test_agenda_description_keeps_its_line_breaks(app, api):
    client, auth = api
    response = client.post("/api/v1/events/e/agenda", headers=auth, json={
        "title": "Opening", "starts_at": "2030-03-04T09:00:00+08:00",
        "ends_at": "2030-03-04T10:00:00+08:00", "description": "Welcome.\r\n\tAgenda."})
    # Line ends are stored as LF (textnorm), tabs and line breaks kept.
    assert (response.status_code, response.json["description"]) == (201, "Welcome.\n\tAgenda.")


@pytest.mark.parametrize("field, label", [
    ("title", "The title"), ("short_title", "The short title"), ("theme", "The theme"),
    ("venue_name", "The venue"), ("city", "The city"),
])
def test_event_text_with_bidi_override_is_refused_with_field_named(app, admin, field,
                                                                   label):
    before = checksums(app)
    response = admin.post("/admin/events/new", data={
        **EVENT_FORM, "slug": "ctwg-17", field: "Kuala \u202eLumpur"})
    assert (response.status_code, field_errors(response.text)) == (
        422, {field: f"{label} {CONTROL}"})
    assert checksums(app) == before


def test_event_description_with_escape_is_refused_but_line_breaks_are_kept(app, admin):
    refused = admin.post("/admin/events/new", data={
        **EVENT_FORM, "slug": "ctwg-17", "description": "One\r\nTwo\x1b"})
    assert (refused.status_code, field_errors(refused.text)) == (
        422, {"description": "The description must not contain control characters."})
    accepted = admin.post("/admin/events/new", data={
        **EVENT_FORM, "slug": "ctwg-17", "description": "One\r\nTwo"})
    assert accepted.status_code == 303


def test_organiser_and_registrant_text_share_one_rule():
    with pytest.raises(AgendaError) as agenda:
        check_item(ItemData(title="A\u202eB", starts_at=datetime(2030, 1, 1, tzinfo=UTC),
                            ends_at=datetime(2030, 1, 1, 1, tzinfo=UTC)))
    with pytest.raises(ValidationFailed) as registration:
        clean_registration({**PERSON, "given_name": "A\u202eB"})
    assert (agenda.value.errors, registration.value.errors) == (
        {"title": [f"The title {CONTROL}"]}, {"given_name": [f"Given name {CONTROL}"]})
