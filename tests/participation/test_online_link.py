"""The online link reaches confirmed online participants only: their private page, their
personal feed and their confirmation's calendar file (RFC 7986 CONFERENCE) — and no public
page, feed or API answer. The 16th CTWG meeting set up as a hybrid meeting, as organisers
would, registered for both ways through the public form."""

from __future__ import annotations

import base64
import re

import pytest
from icalendar import Calendar
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import Event, OutboxMessage, Registration
from eventsapp.participation import services as participation
from eventsapp.registration.services import feed_token_for
from eventsapp.tokens import hash_token
from tests.support import move_to_future

from .conftest import LINK

PASSCODE = "Passcode 4417 · dial +60 3 0000 0000"
SECRETS = (LINK, "7731-secret-room", "4417")


def _form(client, slug: str) -> str:
    """Tests run with CSRF off (tests/support.py); the form must still render."""
    assert client.get(f"/events/{slug}/register").status_code == 200
    return ""


def _register(client, email: str, participation_value: str | None) -> str:
    data = {"csrf_token": _form(client, "ctwg-16"), "given_name": "Ana", "family_name": "Lee",
            "email": email, "economy": "MAS", "sector": "government", "category": "delegate"}
    if participation_value:
        data["participation"] = participation_value
    answer = client.post("/events/ctwg-16/register", data=data)
    assert answer.status_code == 303, answer.text
    return answer.headers["Location"].rsplit("/", 1)[-1]


@pytest.fixture
def hybrid_ctwg16(seeded):
    """ctwg-16 in the future, hybrid with 1 place in person and 2 online, with its link."""
    move_to_future(seeded, "ctwg-16")
    with seeded.app_context():
        ev = db.session.scalar(select(Event).where(Event.slug == "ctwg-16"))
        participation.update_participation(ev, participation.ParticipationSettings(
            "hybrid", 1, 2, LINK, PASSCODE), user=None)
    return seeded


def _feed(client, app, token: str) -> str:
    with app.app_context():
        reg = db.session.scalar(select(Registration).where(
            Registration.token_hash == hash_token(token)))
        feed = feed_token_for(reg, token)
    answer = client.get(f"/registrations/{feed}/calendar.ics")
    assert answer.status_code == 200
    return answer.text


def test_only_the_confirmed_online_participant_sees_the_link(hybrid_ctwg16):
    app = hybrid_ctwg16
    client = app.test_client()
    online = _register(client, "online@example.org", "online")
    in_person = _register(client, "here@example.org", "in_person")
    _register(client, "second@example.org", "online")  # the last online place
    waiting = _register(client, "later@example.org", "online")  # online is full now
    page = client.get(f"/registrations/{online}").text
    assert LINK in page and "Passcode 4417" in page
    for token in (in_person, waiting):
        assert LINK not in client.get(f"/registrations/{token}").text
    assert "You now take part" not in page
    # The online feed carries CONFERENCE (VALUE=URI) and the link in each DESCRIPTION.
    cal = Calendar.from_ical(_feed(client, app, online))
    entries = cal.walk("VEVENT")
    assert entries and all(str(e["CONFERENCE"]) == LINK for e in entries)
    assert all(e["CONFERENCE"].params["VALUE"] == "URI" for e in entries)
    assert all(str(e["DESCRIPTION"]).startswith(f"Join online: {LINK}") for e in entries)
    # Where to go is the link, not the room they are not in.
    assert {str(e["LOCATION"]) for e in entries} == {LINK}
    for token in (in_person, waiting):
        assert not any(s in _feed(client, app, token) for s in SECRETS[:2])
    with app.app_context():
        attachments = {m.to_addr: [base64.b64decode(a["content"]).decode()
                                   for a in m.attachments]
                       for m in db.session.scalars(select(OutboxMessage))}
    [online_ics] = attachments["online@example.org"]
    assert "CONFERENCE;FEATURE=VIDEO;LABEL=Join online;VALUE=URI:" in online_ics
    [here_ics] = attachments["here@example.org"]
    assert "CONFERENCE" not in here_ics and "meet.example.net" not in here_ics


def _public_urls(app) -> list[str]:
    """Every GET route of the URL map a visitor can open without a secret or an account,
    with the seeded event's values for its arguments."""
    values = {"slug": "ctwg-16", "year": "2020", "item_id": None}
    with app.app_context():
        ev = db.session.scalar(select(Event).where(Event.slug == "ctwg-16"))
        items = [i.id for i in ev.published_items]
    values["item_id"] = str(items[0]) if items else "1"
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(("/admin", "/static")):
            continue
        if set(rule.arguments) - set(values):
            continue  # a token or an id: a private or staff address
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:[a-z]+:)?{name}>", values[name], path)
        urls.append(path)
    return sorted(set(urls))


def test_the_link_is_in_no_public_page_feed_or_api_answer(hybrid_ctwg16):
    app = hybrid_ctwg16
    client = app.test_client()
    _register(client, "online@example.org", "online")  # a confirmed online participant
    urls = _public_urls(app)
    for must in ("/", "/events/<slug>", "/calendar.ics", "/events/<slug>/calendar.ics",
                 "/api/v1/events", "/api/v1/events/<slug>", "/api/v1/openapi.json"):
        assert must.replace("<slug>", "ctwg-16") in urls
    read = 0
    for url in urls + ["/calendar.ics?agenda=1", "/events/ctwg-16/register/delegation"]:
        answer = client.get(url)
        if answer.status_code >= 400:
            continue
        read += 1
        body = answer.get_data()
        assert not any(s.encode() in body for s in SECRETS[:2]), url
    assert read >= 10
    api = client.get("/api/v1/events/ctwg-16").get_json()
    assert (api["participation_mode"], api["capacity_in_person"], api["capacity_online"],
            api["capacity"]) == ("hybrid", 1, 2, 3)
    assert "online_url" not in api


def test_public_pages_show_places_per_mode_and_the_form_asks_for_the_mode(hybrid_ctwg16):
    client = hybrid_ctwg16.test_client()
    _register(client, "here@example.org", "in_person")
    page = client.get("/events/ctwg-16").text
    assert "Hybrid: in person or online" in page
    assert "In person: 0 of 1 left" in page and "Online: 2 of 2 left" in page
    form = client.get("/events/ctwg-16/register").text
    assert 'name="participation" type="radio" value="online"' in form
    data = {"csrf_token": _form(client, "ctwg-16"), "given_name": "No", "family_name": "Choice",
            "email": "none@example.org", "sector": "government", "category": "delegate"}
    answer = client.post("/events/ctwg-16/register", data=data)
    assert answer.status_code == 422
    assert "This event is hybrid: choose whether you take part in person or online." \
        in answer.text


def test_switching_on_the_private_page(hybrid_ctwg16):
    client = hybrid_ctwg16.test_client()
    online_full = [_register(client, f"o{i}@example.org", "online") for i in range(2)]
    me = _register(client, "me@example.org", "in_person")
    token = ""
    answer = client.post(f"/registrations/{me}/participation",
                         data={"csrf_token": token, "participation": "online"},
                         follow_redirects=True)
    assert ("There is no free place to take part online: all 2 are taken. You keep your "
            "place to take part in person; nothing changed.") in answer.text
    client.post(f"/registrations/{online_full[0]}/cancel",
                data={"csrf_token": token})
    answer = client.post(f"/registrations/{me}/participation",
                         data={"csrf_token": token, "participation": "online"},
                         follow_redirects=True)
    assert "You now take part online." in answer.text
    assert LINK in answer.text
