"""The public form, the delegation form and the registrant's own page, through HTTP."""

import re

import pytest
from sqlalchemy import func, select

from eventsapp.extensions import db
from eventsapp.models import OutboxMessage, Registration

from .conftest import form_data, statuses


def token_of(response) -> str:
    match = re.fullmatch(r"(?:http://events\.test)?/registrations/([A-Za-z0-9_-]{43})",
                         response.headers["Location"])
    return match.group(1)


def blank_rows() -> dict:
    """What a browser sends for the six delegate rows left empty."""
    return {f"members-{i}-{name}": "" for i in range(6)
            for name in ("given_name", "family_name", "email", "badge_name", "native_name",
                         "dietary", "accessibility")}


def count(app, model=Registration) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_form_registers_and_shows_confirmation(client, make_event, app):
    eid = make_event(capacity=5)
    assert client.get("/events/event-1/register").status_code == 200
    response = client.post("/events/event-1/register", data=form_data(
        given_name="Minh Khai", family_name="Nguyễn Thị", email="khai@example.org",
        economy="VN", native_name="Nguyễn Thị Minh Khai", consent_to_list="y"))
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Your registration is confirmed." in html
    assert "Nguyễn Thị Minh Khai" in html
    assert page.headers["Referrer-Policy"] == "no-referrer"
    with app.app_context():
        assert statuses(eid) == [("khai@example.org", "confirmed")]


def test_full_event_puts_newcomer_on_waiting_list_and_says_so(client, make_event):
    make_event(capacity=1)
    client.post("/events/event-1/register", data=form_data())
    assert "Join the waiting list" in client.get("/events/event-1").get_data(as_text=True)
    response = client.post("/events/event-1/register", data=form_data())
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "you are number 1" in html


def test_invalid_form_shows_errors_next_to_fields_and_keeps_input(client, make_event, app):
    make_event()
    response = client.post("/events/event-1/register", data=form_data(
        given_name="   ", family_name="李小龍", email="nope", economy="XX"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.findall(r'<p class="field-error" id="([a-z_]+)-error">', html) == [
        "given_name", "email", "economy"]
    assert '<a href="#given_name">Given name: Enter your given name.</a>' in html
    assert 'value="李小龍"' in html
    assert 'aria-invalid="true"' in html
    assert count(app) == 0


def test_html_in_fields_is_shown_as_text(client, make_event):
    make_event()
    response = client.post("/events/event-1/register", data=form_data(
        given_name="<script>alert(1)</script>", organisation='"><img src=x onerror=alert(1)>'))
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_second_registration_with_same_email_is_told_and_not_duplicated(client, make_event, app):
    make_event()
    client.post("/events/event-1/register", data=form_data(email="dup@example.org"))
    response = client.post("/events/event-1/register", data=form_data(email="DUP@example.org"))
    assert response.status_code == 409
    assert "already registered for this event" in response.get_data(as_text=True)
    assert count(app) == 1


def test_closed_event_shows_the_reason_and_no_form(client, make_event, app):
    make_event(status="cancelled")
    html = client.get("/events/event-1/register").get_data(as_text=True)
    assert "This event has been cancelled." in html
    assert "<form" not in html
    response = client.post("/events/event-1/register", data=form_data())
    assert response.status_code == 409
    assert count(app) == 0


def test_unknown_event_is_404(client, make_event):
    make_event(status="draft")
    assert client.get("/events/event-1/register").status_code == 404
    assert client.get("/events/nope/register").status_code == 404


@pytest.mark.parametrize("token", ["x", "A" * 43, "..x", "x%0a", "x=", "a" * 500])
def test_unknown_and_malformed_tokens_get_the_same_404(client, make_event, token):
    make_event()
    real = client.post("/events/event-1/register", data=form_data())
    client.get("/registrations/" + "B" * 43)  # shows (and so clears) the flashed message
    reference = client.get("/registrations/" + "B" * 43)
    response = client.get("/registrations/" + token)
    assert response.status_code == 404
    assert response.get_data() == reference.get_data()
    assert client.get("/registrations/" + token_of(real)[:-1]).get_data() == reference.get_data()
    assert client.post(f"/registrations/{token}/cancel").status_code == 404


def test_cancel_from_the_page_promotes_and_is_idempotent(client, make_event, app):
    eid = make_event(capacity=1)
    first = token_of(client.post("/events/event-1/register", data=form_data(email="a@x.org")))
    client.post("/events/event-1/register", data=form_data(email="b@x.org"))
    response = client.post(f"/registrations/{first}/cancel")
    assert response.status_code == 303
    html = client.get(f"/registrations/{first}").get_data(as_text=True)
    assert "Your registration has been cancelled." in html
    assert "Cancel my registration" not in html
    again = client.post(f"/registrations/{first}/cancel", follow_redirects=True)
    assert "This registration has already been cancelled." in again.get_data(as_text=True)
    with app.app_context():
        assert statuses(eid) == [("a@x.org", "cancelled"), ("b@x.org", "confirmed")]


def test_get_never_cancels_it_asks_first(client, make_event, app):
    eid = make_event()
    token = token_of(client.post("/events/event-1/register", data=form_data(email="a@x.org")))
    manage = client.get(f"/registrations/{token}").text
    assert f'href="/registrations/{token}/cancel"' in manage
    assert f'action="/registrations/{token}/cancel"' not in manage
    page = client.get(f"/registrations/{token}/cancel")
    assert page.status_code == 200
    assert "<h1>Cancel your registration?</h1>" in page.text
    assert f'<form method="post" action="/registrations/{token}/cancel">' in page.text
    with app.app_context():
        assert statuses(eid) == [("a@x.org", "confirmed")]
    assert client.post(f"/registrations/{token}/cancel").status_code == 303
    with app.app_context():
        assert statuses(eid) == [("a@x.org", "cancelled")]


def test_edit_details(client, make_event, app):
    eid = make_event()
    token = token_of(client.post("/events/event-1/register", data=form_data(email="a@x.org")))
    form = client.get(f"/registrations/{token}/edit").get_data(as_text=True)
    assert 'value="a@x.org"' in form
    bad = client.post(f"/registrations/{token}/edit", data=form_data(email="a@x.org",
                                                                     family_name="x\r\ny"))
    assert bad.status_code == 422
    response = client.post(f"/registrations/{token}/edit", data=form_data(
        given_name="Иван", family_name="Петров", email="ivan@x.org", economy="RUS"))
    assert response.status_code == 303
    html = client.get(f"/registrations/{token}").get_data(as_text=True)
    assert "Иван Петров" in html and "Russia" in html
    with app.app_context():
        assert statuses(eid) == [("ivan@x.org", "confirmed")]


def test_delegation_form_registers_leader_and_filled_rows(client, make_event, app):
    eid = make_event(capacity=2)
    data = {**blank_rows(), **form_data(email="head@x.org", economy="THA",
                                        category="delegate", honorific="H.E. Mr",
                                        organisation="Royal Thai Police")}
    data.update({"members-0-given_name": "สมชาย", "members-0-family_name": "ใจดี",
                 "members-0-email": "somchai@x.org", "members-0-category": "delegate",
                 "members-2-given_name": "Nok", "members-2-family_name": "Saelim",
                 "members-2-email": "nok@x.org", "members-2-category": "observer"})
    response = client.post("/events/event-1/register/delegation", data=data)
    assert (response.status_code, response.headers["Location"]) == (303, "/events/event-1")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ("Thank you: the delegation has been received. Each person in it gets an email "
            "about their own registration, with their private link.") in html
    with app.app_context():
        assert statuses(eid) == [("head@x.org", "confirmed"), ("somchai@x.org", "confirmed"),
                                 ("nok@x.org", "waitlisted")]
        regs = db.session.scalars(select(Registration).order_by(Registration.id)).all()
        assert {(r.economy, r.organisation) for r in regs} == {("THA", "Royal Thai Police")}
        assert [(r.honorific, r.category) for r in regs] == [
            ("H.E. Mr", "delegate"), ("", "delegate"), ("", "observer")]
        assert [r.delegation_head_id for r in regs] == [None, regs[0].id, regs[0].id]


def test_delegation_form_refuses_a_category_the_public_may_not_choose(client, make_event, app):
    make_event()
    data = {**blank_rows(), **form_data(economy="THA", category="head_of_delegation")}
    data.update({"members-0-given_name": "Nok", "members-0-family_name": "Saelim",
                 "members-0-email": "nok@x.org", "members-0-category": "media"})
    response = client.post("/events/event-1/register/delegation", data=data)
    assert response.status_code == 422
    assert "Category: Choose a category this event offers: Delegate or Observer." in \
        response.get_data(as_text=True)
    assert count(app) == 0


def test_delegation_with_an_invalid_row_stores_nobody(client, make_event, app):
    make_event()
    data = {**blank_rows(), **form_data(economy="JPN")}
    data.update({"members-0-given_name": "花子", "members-0-family_name": "佐藤",
                 "members-0-email": "not-an-email"})
    response = client.post("/events/event-1/register/delegation", data=data)
    assert response.status_code == 422
    assert "Delegate 1: Email address: Enter a valid email address" in response.get_data(
        as_text=True)
    assert count(app) == 0


def test_delegation_without_members_is_refused(client, make_event, app):
    make_event()
    response = client.post("/events/event-1/register/delegation",
                           data={**blank_rows(), **form_data(economy="JPN")})
    assert response.status_code == 422
    assert "Add at least one delegate." in response.get_data(as_text=True)
    assert count(app) == 0


def test_event_page_links_to_the_form(client, make_event):
    make_event(capacity=3)
    html = client.get("/events/event-1").get_data(as_text=True)
    assert 'href="/events/event-1/register" role="button">Register</a>' in html
    assert "3 of 3 places left" in html


def test_event_page_without_waiting_list_when_full_offers_no_form(client, make_event):
    make_event(capacity=1, waitlist_enabled=False)
    client.post("/events/event-1/register", data=form_data())
    html = client.get("/events/event-1").get_data(as_text=True)
    assert "does not keep a waiting list" in html
    assert "/events/event-1/register" not in html


def test_registration_writes_mail_after_commit_as_eml_file(client, make_event, app, tmp_path):
    make_event()
    client.post("/events/event-1/register", data=form_data(email="eml@x.org"))
    files = sorted((tmp_path / "instance" / "mail").glob("*.eml"))
    assert [f.name for f in files] == ["00000001.eml"]
    assert b"To: Given" in files[0].read_bytes()
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage.sent_at)).one() is not None


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_missing_or_wrong_csrf_token_gives_400_and_stores_nothing(self, client, make_event,
                                                                      app):
        make_event()
        assert client.post("/events/event-1/register", data=form_data()).status_code == 400
        wrong = client.post("/events/event-1/register",
                            data={**form_data(), "csrf_token": "forged"})
        assert wrong.status_code == 400
        assert count(app) == 0

    def test_form_with_its_token_registers(self, client, make_event, app):
        make_event()
        html = client.get("/events/event-1/register").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        response = client.post("/events/event-1/register",
                               data={**form_data(), "csrf_token": token})
        assert response.status_code == 303
        manage = token_of(response)
        assert client.post(f"/registrations/{manage}/cancel").status_code == 400
        assert count(app) == 1


def test_an_address_needing_smtputf8_is_refused_on_the_form_and_in_the_api(client, make_event,
                                                                            app):
    """Issue 14: never accepted and then silently lost; the domain alone may be in any script."""
    make_event()
    response = client.post("/events/event-1/register", data=form_data(
        email="jönas@müller.example"))
    assert response.status_code == 422
    assert re.findall(r'<p class="field-error" id="([a-z_]+)-error">', response.text) == [
        "email"]
    assert "uses only Latin letters, digits and punctuation" in response.text
    api = client.post("/api/v1/events/event-1/registrations", json=form_data(
        email="jönas@müller.example"))
    assert api.status_code == 422
    assert list(api.get_json()["errors"]) == ["email"]
    assert count(app) == 0
    accepted = client.post("/events/event-1/register", data=form_data(
        email="jonas@müller.example"))
    assert accepted.status_code == 303
    assert count(app) == 1
