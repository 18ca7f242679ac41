"""The menus: each role sees the pages it may open and no other, on every organiser page of an
event; every menu link answers 200 (or a redirect to a page that does)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import Event, Registration
from eventsapp.seed.demo import load_demo_event
from tests.auth.fixtures import sign_in

EVENT_MENU = ["Overview", "Edit", "Mode and quotas", "Participation", "Questions", "Agenda",
              "Registrations", "Approvals", "Invitations", "Documents", "Outcomes", "Messages",
              "Emails", "Letters", "Badges", "Check-in", "Summary", "Participants", "Privacy"]


def event_menu(html: str) -> list[tuple[str, str, str]]:
    """(label, href, aria-current) of the event menu's links."""
    nav = re.search(r'<nav class="event-menu"[^>]*>(.*?)</nav>', html, re.S)
    if nav is None:
        return []
    return [(label, href, current) for href, current, label in re.findall(
        r'<a href="([^"]+)"(?: aria-current="(\w+)")?>([^<]+)</a>', nav.group(1))]


def site_menu(html: str) -> list[str]:
    nav = re.search(r'<ul class="nav-wide">(.*?)</ul>', html, re.S).group(1)
    return re.findall(r'<a href="[^"]+"(?: aria-current="\w+")?>([^<]+)</a>', nav)


@pytest.fixture
def demo(seeded):
    with seeded.app_context():
        load_demo_event()
    return "demo-practice-workshop"


@pytest.mark.parametrize("path,current", [
    ("/admin/events/{slug}/", "Overview"), ("/admin/events/{slug}/edit", "Edit"),
    ("/admin/events/{slug}/clone", "Edit"), ("/admin/events/{slug}/agenda", "Agenda"),
    ("/admin/events/{slug}/emails", "Emails"),
    ("/admin/events/{slug}/emails/confirmation", "Emails"),
    ("/admin/events/{slug}/agenda/new", "Agenda"),
    ("/admin/events/{slug}/registrations", "Registrations"),
    ("/admin/events/{slug}/questions", "Questions"),
    ("/admin/events/{slug}/registrations/{reg}/answers", "Registrations"),
    ("/admin/events/{slug}/badges", "Badges"), ("/admin/events/{slug}/checkin", "Check-in"),
    ("/admin/events/{slug}/messages", "Messages"),
    ("/admin/events/{slug}/messages/new", "Messages"),
    ("/admin/events/{slug}/reminders/new", "Messages"),
    ("/admin/events/{slug}/summary", "Summary"),
    ("/admin/events/{slug}/participants", "Participants"),
    ("/admin/events/{slug}/participation", "Participation"),
    ("/admin/events/{slug}/participation/attendance", "Participation"),
])
def test_every_organiser_page_of_an_event_has_its_menu_with_the_page_marked(
        seeded, demo, admin_client, path, current):
    with seeded.app_context():
        reg = db.session.scalar(select(Registration.id).join(Event).where(
            Event.slug == demo, Registration.status == "confirmed").order_by(Registration.id))
    html = admin_client.get(path.format(slug=demo, reg=reg)).text
    menu = event_menu(html)
    assert [label for label, _, _ in menu] == EVENT_MENU
    marked = {label: state for label, _, state in menu if state}
    assert list(marked) == [current]


def test_every_event_menu_link_opens(seeded, demo, admin_client):
    for label, href, _ in event_menu(admin_client.get(f"/admin/events/{demo}/").text):
        assert admin_client.get(href).status_code == 200, label


def test_roles_see_only_what_they_may_open(app, seeded, demo, make_user):
    admin, organiser, limited, door = (
        app.test_client() for _ in range(4))
    sign_in(admin, make_user("admin"))
    sign_in(organiser, make_user("organiser"))
    sign_in(limited, make_user("organiser", events=("ctwg-15",)))
    sign_in(door, make_user("checkin"))
    assert site_menu(admin.get("/admin/").text) == [
        "Events", "Dashboard", "Reports", "Messages", "Audit log", "Users", "Privacy notice",
        "Account"]
    assert site_menu(organiser.get("/admin/").text) == [
        "Events", "Dashboard", "Reports", "Messages", "Account"]
    assert site_menu(door.get("/account").text) == ["Events", "Check-in desks", "Password"]
    # An organiser limited to one event has its menu there, and is refused elsewhere.
    assert [m[0] for m in event_menu(limited.get("/admin/events/ctwg-15/").text)] == EVENT_MENU
    assert limited.get(f"/admin/events/{demo}/").status_code == 403
    # Check-in staff get the desk, without a menu of pages they cannot open.
    desk = door.get(f"/admin/events/{demo}/checkin")
    assert desk.status_code == 200
    assert event_menu(desk.text) == []
    # A focal point: their economy's approvals, and no menu of pages they cannot open.
    focal = app.test_client()
    sign_in(focal, make_user("focal_point", economy="AUS"))
    assert site_menu(focal.get("/admin/accreditation").text) == [
        "Events", "Accreditation", "Account"]
    approvals = focal.get(f"/admin/events/{demo}/approvals")
    assert approvals.status_code == 200
    assert event_menu(approvals.text) == []
    assert focal.get(f"/admin/events/{demo}/").status_code == 403
    for who in (organiser, door, focal):
        for path in ("/admin/audit", "/admin/users"):
            assert who.get(path).status_code in (403,), path


def test_reports_lead_to_the_latest_work_plan(seeded, admin_client):
    response = admin_client.get("/admin/reports")
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/reports/2020"


def test_reports_without_a_work_plan_say_what_to_do(admin_client):
    response = admin_client.get("/admin/reports")
    assert response.status_code == 404
    assert "No work plan has been loaded yet" in response.text


def test_the_dashboard_links_each_event_to_its_overview(seeded, demo, admin_client):
    html = admin_client.get("/admin/").text
    assert (f'<a href="/admin/events/{demo}/">Practice Workshop on Event Security '
            "(fictional demo)</a>") in html
    overview = admin_client.get(f"/admin/events/{demo}/").text
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)", overview))
    assert figures == {"Confirmed": "30", "Waiting list": "2", "Cancelled": "2",
                       "Checked in": "0", "Badges printed": "0", "Agenda items": "10"}
    assert "Registration is <strong>open</strong>" in overview
