"""The focal point's and the secretariat's pages, through the real app (both databases)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import Registration
from eventsapp.registration import services

from .conftest import PASSWORD, event, person, sign_in, statuses


def _client(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 303
    return client


def _pending(app, eid, *people):
    with app.app_context():
        return [services.register(event(eid), p).registration.id for p in people]


def test_focal_point_signs_in_to_their_economys_approvals(app, make_event, make_staff):
    eid = make_event(slug="ctwg", title="CTWG 16", registration_mode="approval")
    sgp, mas = _pending(app, eid, person(given_name="Wei Ling", family_name="Tan",
                                         economy="SGP"),
                        person(given_name="Kumar", family_name="Rajendran", economy="MAS"))
    client = app.test_client()
    response = sign_in(client, make_staff("focal_point", economy="SGP"))
    assert response.headers["Location"] == "/admin/accreditation"
    home = client.get("/admin/accreditation").get_data(as_text=True)
    assert "Registrations of Singapore" in home and "(1 waiting)" in home
    page = client.get("/admin/events/ctwg/approvals").get_data(as_text=True)
    assert "Wei Ling Tan" in page
    assert "Kumar" not in page
    assert client.post(f"/admin/events/ctwg/approvals/{mas}/approve").status_code == 403
    assert client.get("/admin/events/ctwg/delegations/MAS").status_code == 403
    assert client.get("/admin/events/ctwg/registrations").status_code == 403
    approved = client.post(f"/admin/events/ctwg/approvals/{sgp}/approve")
    assert approved.headers["Location"] == "/admin/events/ctwg/approvals"
    assert "Approved Wei Ling Tan: confirmed." in client.get(
        "/admin/events/ctwg/approvals").get_data(as_text=True)
    with app.app_context():
        assert statuses(eid)[0][1] == "confirmed"
        assert db.session.get(Registration, mas).status == "pending"


def test_declining_without_a_reason_is_422_and_keeps_it_pending(app, make_event, make_staff):
    eid = make_event(slug="ctwg", registration_mode="approval")
    [rid] = _pending(app, eid, person(economy="SGP"))
    client = _client(app, make_staff("focal_point", economy="SGP"))
    response = client.post(f"/admin/events/ctwg/approvals/{rid}/decline", data={"reason": ""})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    done = client.post(f"/admin/events/ctwg/approvals/{rid}/decline",
                       data={"reason": "Please register through your ministry."})
    assert done.status_code == 303
    with app.app_context():
        reg = db.session.get(Registration, rid)
        assert (reg.status, reg.decline_reason) == (
            "declined", "Please register through your ministry.")


def test_focal_point_names_the_head_registers_and_withdraws_delegates(
        app, make_event, make_staff):
    eid = make_event(slug="ctwg", capacity=10)
    ids = _pending(app, eid, person(given_name="Olivia", family_name="Hartley", economy="AUS"),
                   person(given_name="Jack", family_name="O'Connell", economy="AUS"))
    client = _client(app, make_staff("focal_point", economy="AUS"))
    assert client.post(f"/admin/events/ctwg/delegations/AUS/{ids[0]}/head").status_code == 303
    refused = client.post(f"/admin/events/ctwg/delegations/AUS/{ids[1]}/head")
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Australia already has a head of delegation at this event." in page
    client.post(f"/admin/events/ctwg/delegations/AUS/{ids[1]}/head",
                data={"replace_current": "y"})
    added = client.post("/admin/events/ctwg/delegations/AUS/register", data={
        "new-given_name": "Mei", "new-family_name": "Nguyen", "new-email": "mei@example.org",
        "new-category": "speaker", "new-sector": "government", "new-economy": "JPN"})
    assert added.status_code == 303
    client.post(f"/admin/events/ctwg/delegations/AUS/{ids[0]}/withdraw",
                data={"reason": "Travel cancelled"})
    with app.app_context():
        regs = db.session.scalars(select(Registration).order_by(Registration.id)).all()
        assert [(r.family_name, r.category, r.status, r.economy) for r in regs] == [
            ("Hartley", "delegate", "cancelled", "AUS"),
            ("O'Connell", "head_of_delegation", "confirmed", "AUS"),
            ("Nguyen", "speaker", "confirmed", "AUS")]


def test_organiser_sets_mode_public_categories_and_quotas(app, make_event, make_staff):
    eid = make_event(slug="ctwg")
    client = _client(app, make_staff("organiser"))
    assert "Registration mode and quotas" in client.get(
        "/admin/events/ctwg/accreditation").get_data(as_text=True)
    response = client.post("/admin/events/ctwg/accreditation", data={
        "registration_mode": "approval", "approval_steps": "2",
        "public_categories": ["delegate", "observer", "media"], "limit_observer": "10",
        "limit_media": "5"})
    assert response.status_code == 303
    with app.app_context():
        ev = event(eid)
        assert (ev.registration_mode, ev.approval_steps, ev.public_categories,
                ev.category_limits) == ("approval", 2, ["delegate", "observer", "media"],
                                        {"observer": 10, "media": 5})
    bad = client.post("/admin/events/ctwg/accreditation", data={
        "registration_mode": "approval", "approval_steps": "1"})
    assert bad.status_code == 422
    assert "Offer the public at least one category." in bad.get_data(as_text=True)


def test_every_accreditation_page_is_reachable_from_the_event_menu(app, make_event, make_staff):
    make_event(slug="ctwg")
    client = _client(app, make_staff("organiser"))
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/events/ctwg/"' in dashboard  # the event's overview, with its menu
    overview = client.get("/admin/events/ctwg/").get_data(as_text=True)
    for href in ("/admin/events/ctwg/approvals", "/admin/events/ctwg/accreditation",
                 "/admin/events/ctwg/invitations"):
        assert f'href="{href}"' in overview
        assert client.get(href).status_code == 200


def _head_token(app, eid):
    with app.app_context():
        head = services.register(event(eid), person(
            given_name="Olivia", family_name="Hartley", economy="AUS",
            category="head_of_delegation", email="head@example.org"), trusted=True)
        return head.token, head.registration.id


def test_head_of_delegation_manages_the_delegation_by_private_link(app, make_event, client):
    eid = make_event(slug="ctwg", capacity=2)
    token, head_id = _head_token(app, eid)
    with app.app_context():
        jack = services.register(event(eid), person(given_name="Jack", economy="AUS",
                                                    email="jack@example.org")).registration.id
        services.register(event(eid), person(given_name="Aroha", economy="NZ"))
    manage = client.get(f"/registrations/{token}").get_data(as_text=True)
    assert f'href="/registrations/{token}/delegation"' in manage
    page = client.get(f"/registrations/{token}/delegation").get_data(as_text=True)
    assert "Delegation of Australia" in page and "Jack" in page and "Aroha" not in page
    added = client.post(f"/registrations/{token}/delegation/add", data={
        "new-given_name": "Mei", "new-family_name": "Nguyen", "new-email": "mei@example.org",
        "new-category": "delegate", "new-sector": "government"})
    assert added.status_code == 303
    substituted = client.post(f"/registrations/{token}/delegation/{jack}/substitute", data={
        "given_name": "Liam", "family_name": "MacDonald", "email": "liam@example.org",
        "sector": "government"})
    assert substituted.status_code == 303
    with app.app_context():
        assert statuses(eid) == [
            ("head@example.org", "confirmed"), ("jack@example.org", "cancelled"),
            (statuses(eid)[2][0], "waitlisted"), ("mei@example.org", "waitlisted"),
            ("liam@example.org", "confirmed")]
        liam = db.session.scalar(select(Registration).where(
            Registration.email == "liam@example.org"))
        assert (liam.replaces_id, liam.economy) == (jack, "AUS")
    assert client.post(f"/registrations/{token}/delegation/{head_id}/withdraw").status_code \
        == 303
    with app.app_context():
        assert db.session.get(Registration, head_id).status == "confirmed"


def test_a_delegates_private_link_opens_no_delegation_page(app, make_event, client):
    eid = make_event(slug="ctwg")
    with app.app_context():
        token = services.register(event(eid), person(economy="AUS")).token
    assert client.get(f"/registrations/{token}/delegation").status_code == 404
    assert "delegation" not in re.sub(r"<[^>]+>", "", client.get(
        f"/registrations/{token}").get_data(as_text=True)).split("Your details")[0].lower()


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_forms_carry_their_csrf_token_and_refuse_without_it(self, app, make_event,
                                                                make_staff):
        eid = make_event(slug="ctwg", registration_mode="approval")
        [rid] = _pending(app, eid, person(economy="AUS"))
        token, _head = _head_token(app, eid)
        client = app.test_client()
        login = client.get("/login").get_data(as_text=True)
        client.post("/login", data={"email": make_staff("focal_point", economy="AUS"),
                                    "password": PASSWORD, "csrf_token": _csrf(login)})
        page = client.get("/admin/events/ctwg/delegations/AUS").get_data(as_text=True)
        member = {"new-given_name": "Mei", "new-family_name": "Nguyen",
                  "new-email": "mei@example.org", "new-category": "delegate",
                  "new-sector": "government"}
        assert client.post("/admin/events/ctwg/delegations/AUS/register",
                           data=member).status_code == 400
        assert client.post(f"/admin/events/ctwg/approvals/{rid}/approve").status_code == 400
        assert client.post("/admin/events/ctwg/delegations/AUS/register", data={
            **member, "new-csrf_token": _csrf(page)}).status_code == 303
        approvals = client.get("/admin/events/ctwg/approvals").get_data(as_text=True)
        assert client.post(f"/admin/events/ctwg/approvals/{rid}/approve",
                           data={"csrf_token": _csrf(approvals)}).status_code == 303
        public = app.test_client()
        head_page = public.get(f"/registrations/{token}/delegation").get_data(as_text=True)
        added = public.post(f"/registrations/{token}/delegation/add", data={
            **{k: v for k, v in member.items()}, "new-email": "kai@example.org",
            "new-csrf_token": _csrf(head_page)})
        assert added.status_code == 303


def _csrf(html: str) -> str:
    return re.search(r'name="(?:new-)?csrf_token"(?: type="hidden")? value="([^"]+)"',
                     html).group(1)


def test_secretariat_reaches_each_delegation_from_the_approvals_page(app, make_event,
                                                                     make_staff):
    eid = make_event(slug="ctwg")
    _pending(app, eid, person(economy="NZ"), person(economy="AUS"))
    client = _client(app, make_staff("organiser"))
    page = client.get("/admin/events/ctwg/approvals").get_data(as_text=True)
    links = re.findall(r'href="(/admin/events/ctwg/delegations/[A-Z]+)">([^<]+)<', page)
    assert links == [("/admin/events/ctwg/delegations/AUS", "Australia"),
                     ("/admin/events/ctwg/delegations/NZ", "New Zealand")]


def test_a_focal_points_token_form_offers_only_what_its_token_can_use(app, make_staff):
    """Walk finding: the form pre-ticked "agenda" and "registrations: change capacity…" for
    a focal point, who can do neither."""
    client = _client(app, make_staff("focal_point", economy="SGP"))
    page = client.get("/account").get_data(as_text=True)
    offered = re.findall(r'<input( checked)? id="scopes-\d" name="scopes" required '
                         r'type="checkbox" value="(\w+)"', page)
    assert offered == [(" checked", "read"), (" checked", "registrations")]
