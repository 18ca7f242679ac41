"""Security checks across the whole URL map (RELIABILITY S5, S9, S11)."""

import re

import pytest

from tests.support import move_to_future, register_before_start

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
SAMPLE_VALUES = {"slug": "ctwg-15", "token": "A" * 43, "feed_token": "A" * 43, "id": "1",
                 "item_id": "1", "year": "2020", "number": "1.5", "user_id": "1"}


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def concrete(rule) -> str:
    # Any other int converter (token_id, registration_id, ...) gets "1".
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: SAMPLE_VALUES.get(m.group(1), "1"),
                  rule.rule)


def form_rules(app):
    for rule in app.url_map.iter_rules():
        methods = rule.methods & STATE_CHANGING
        if methods and not rule.rule.startswith("/api/"):
            yield rule, methods


def test_every_state_changing_form_route_refuses_a_missing_or_wrong_csrf_token(seeded):
    client = seeded.test_client()
    checked = 0
    for rule, methods in form_rules(seeded):
        for method in methods:
            url = concrete(rule)
            assert client.open(url, method=method, data={}).status_code == 400, (method, url)
            wrong = client.open(url, method=method, data={"csrf_token": "forged"})
            assert wrong.status_code == 400, (method, url)
            checked += 1
    assert checked >= 20  # the map really was enumerated


def test_only_the_api_is_exempt_from_csrf_and_it_uses_no_cookies(seeded):
    api_rules = [r for r in seeded.url_map.iter_rules()
                 if r.methods & STATE_CHANGING and r.rule.startswith("/api/")]
    assert api_rules, "the API has state-changing routes"
    response = seeded.test_client().post("/api/v1/events/ctwg-15/registrations", json={})
    assert response.status_code == 422
    assert "Set-Cookie" not in response.headers


def test_emailed_link_uses_the_configured_host_not_the_host_header(seeded):
    move_to_future(seeded, "star-xi")
    client = seeded.test_client()
    response = client.post(
        "/api/v1/events/star-xi/registrations", headers={"Host": "evil.example"},
        json={"given_name": "Ana", "family_name": "Lee", "email": "ana@example.org",
              "economy": "MAS", "organisation": "Ministry", "sector": "government",
              "category": "delegate"})
    assert response.status_code == 201
    assert response.get_json()["manage_url"].startswith("http://events.test/registrations/")


@pytest.mark.parametrize("path", ["/", "/events/ctwg-15", "/login", "/events/star-xi/register"])
def test_pages_carry_the_content_security_policy_and_no_inline_script(seeded, path):
    response = seeded.test_client().get(path)
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'",
                      "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    html = response.get_data(as_text=True)
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert re.findall(r"\son[a-z]+=", html) == []


def test_ids_beyond_the_integer_range_are_not_found_never_a_server_error(seeded):
    client = seeded.test_client()
    assert client.get("/events/ctwg-15/agenda/99999999999999999999.ics").status_code == 404
    assert client.get("/events/ctwg-15/agenda/2147483648.ics").status_code == 404


XSS_CORPUS = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
              "<svg onload=alert(1)>", "{{7*7}}"]


def test_stored_xss_corpus_is_inert_on_every_page_that_shows_a_registrant(seeded):
    """S12: hostile names and organisations render as text everywhere they appear."""
    from tests.checkin.factories import login, make_user

    client = seeded.test_client()
    # CTWG 15 took place in 2020: registered as of before it began, as the demo seed does.
    token = register_before_start(seeded, "ctwg-15", {
        "given_name": XSS_CORPUS[0], "family_name": XSS_CORPUS[1], "badge_name": XSS_CORPUS[2],
        "email": "xss@example.org", "economy": None, "organisation": XSS_CORPUS[3],
        "sector": "other", "category": "observer", "consent_to_list": True})
    manage_path = f"/registrations/{token}"
    login(seeded, client, make_user(seeded, "admin"))
    pages = [manage_path, "/admin/events/ctwg-15/registrations",
             "/admin/events/ctwg-15/participants", "/admin/events/ctwg-15/badges",
             "/admin/events/ctwg-15/summary", "/admin/events/ctwg-15/checkin?code=XSS",
             "/events/ctwg-15/participants"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert "<script>alert" not in html, path
        assert re.findall(r"<img[^>]*onerror|<svg[^>]*onload", html) == [], path
    listed = client.get("/admin/events/ctwg-15/registrations").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listed
    assert "{{7*7}}" in listed  # shown as typed, never evaluated


def test_without_server_name_a_foreign_host_header_is_refused_and_nothing_is_written(tmp_path):
    """S11 when SERVER_NAME is unset: links would follow the Host header, so only this
    machine's own names may give one."""
    from sqlalchemy import func, select

    from eventsapp import create_app
    from eventsapp.extensions import db
    from eventsapp.models import Event, OutboxMessage, Registration
    from tests.support import base_config

    config = base_config(f"sqlite:///{tmp_path}/s11.sqlite")
    del config["SERVER_NAME"]
    app = create_app(config)
    with app.app_context():
        db.create_all()
        db.session.add(Event(slug="e", title="E", status="published", capacity=5))
        db.session.commit()
    client = app.test_client()
    person = {"given_name": "Ana", "family_name": "Lee", "email": "ana@example.org"}
    refused = client.post("/api/v1/events/e/registrations", json=person,
                          headers={"Host": "evil.example"})
    accepted = client.post("/api/v1/events/e/registrations", json=person,
                           headers={"Host": "127.0.0.1:5000"})
    assert (refused.status_code, accepted.status_code) == (400, 201)
    page = client.get("/", headers={"Host": "events.example.org"})
    assert (page.status_code, page.text) == (400, "This server does not answer to that host "
                                                  "name.\n")
    assert accepted.get_json()["manage_url"].startswith("http://127.0.0.1:5000/registrations/")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
        bodies = db.session.scalars(select(OutboxMessage.body)).all()
        assert len(bodies) == 1 and "evil.example" not in bodies[0]
        db.engine.dispose()
