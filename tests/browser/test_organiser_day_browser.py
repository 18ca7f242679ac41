"""Real Chromium, at a laptop's and a phone's width: every organiser page is reached by clicking
from /admin/, each passes axe and fits the screen; a bulk cancel of N selected registrations
cancels exactly those N, writes N audit entries and emails each; destructive actions ask first,
with no JavaScript needed."""

from __future__ import annotations

import email
import email.policy
import re

import pytest
from aiosmtpd.controller import Controller
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from eventsapp.auth import links
from eventsapp.auth.services import create_user
from eventsapp.database import unit_of_work
from eventsapp.extensions import db
from eventsapp.models import (
    RESET,
    AgendaItem,
    AuditEntry,
    Event,
    OutboxMessage,
    Registration,
    User,
    utcnow,
)
from eventsapp.seed.demo import DEMO_EVENT_SLUG, load_demo_event
from tests.browser.waits import expect_flash, expect_h1, set_deadline
from tests.registration.gunicorn_helpers import free_port

AXE_OPTIONS = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
PASSWORD = "correct horse battery staple"
WIDTHS = [1280, 390]


class Collect:
    def __init__(self):
        self.messages: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.extend((rcpt, msg["Subject"]) for rcpt in envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def app_config(smtp_port):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port}


@pytest.fixture
def smtp(smtp_port):
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def demo(seeded) -> int:
    """The fictional upcoming workshop: 30 confirmed of 30, 2 waiting, 2 cancelled."""
    with seeded.app_context():
        load_demo_event()
        return db.session.scalar(select(Event.id).where(Event.slug == DEMO_EVENT_SLUG))


def assert_page_is_fine(page, width: int) -> None:
    """axe finds nothing, and nothing is wider than the screen (tables scroll inside)."""
    page.wait_for_load_state("load")  # measured as laid out with its stylesheet
    result = Axe().run(page, options=AXE_OPTIONS)
    assert result.violations_count == 0, f"{page.url}\n" + result.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def sign_in(page, live_server: str, app, role: str = "admin") -> str:
    address = f"{role}@example.org"
    with app.app_context():
        create_user(address, PASSWORD, role)
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(address)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return address


def top(page, name: str, width: int) -> None:
    """Click an entry of the top navigation; on a phone it sits behind "Menu"."""
    nav = page.get_by_role("navigation", name="Site")
    if width < 768:
        nav.locator("summary", has_text="Menu").click()
    nav.get_by_role("link", name=name, exact=True).click()


def event_menu(page, name: str) -> None:
    page.get_by_role("navigation", name=re.compile("^Manage ")).get_by_role(
        "link", name=name, exact=True).click()


@pytest.mark.parametrize("width", WIDTHS)
def test_every_organiser_page_is_reached_by_clicking_from_admin(page, live_server, seeded,
                                                                 demo, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, seeded)
    expect(page).to_have_url(live_server + "/admin/")
    expect_h1(page, "Dashboard")
    assert_page_is_fine(page, width)
    title = "Practice Workshop on Event Security (fictional demo)"
    seen = []

    def visit(expected_h1: str | re.Pattern) -> None:
        # Each page's heading differs from the last one's: waiting for it waits for the page.
        expect_h1(page, expected_h1)
        assert_page_is_fine(page, width)
        seen.append(page.url.removeprefix(live_server).split("?")[0])

    page.get_by_role("button", name="Create an event").click()
    visit("New event")
    top(page, "Dashboard", width)
    page.get_by_role("link", name=title, exact=True).click()
    visit(title)
    event_menu(page, "Edit")
    visit(f"Edit: {title}")
    page.get_by_role("link", name="Clone as the next meeting").click()
    visit(f"Next meeting from {title}")
    event_menu(page, "Overview")
    page.get_by_role("link", name="Cancel the event…").click()
    visit(f"Cancel {title}?")
    event_menu(page, "Agenda")
    visit(f"Agenda: {title}")
    page.get_by_role("button", name="Add an item", exact=True).click()
    visit("New agenda item")
    event_menu(page, "Agenda")
    page.get_by_text("Move or edit Opening plenary: why practise at all?").click()
    page.get_by_role("button", name="Edit Opening plenary: why practise at all?").click()
    visit("Edit “Opening plenary: why practise at all?”")
    event_menu(page, "Agenda")
    page.get_by_text("Move or edit Opening plenary: why practise at all?").click()
    page.get_by_role("button", name="Delete… Opening plenary: why practise at all?").click()
    visit("Delete “Opening plenary: why practise at all?”?")
    event_menu(page, "Registrations")
    visit("Registrations")
    page.get_by_role("link", name="Olivia Hartley").click()
    visit("Olivia Hartley")
    page.get_by_role("button", name="Cancel the registration…").click()
    visit("Cancel the registration of Olivia Hartley?")
    event_menu(page, "Registrations")
    page.get_by_role("link", name=re.compile(r"^Waiting list \d+$")).click()
    page.get_by_label("Select all 2 matching registrations, on every page").check()
    page.get_by_role("button", name="Confirm from the waiting list…").click()
    visit("Confirm 2 people from the waiting list?")
    event_menu(page, "Registrations")
    page.get_by_label("Select Olivia Hartley").check()
    page.get_by_role("button", name="Print badges…").click()
    visit("Print the badges of 1 selected person")
    event_menu(page, "Badges")
    visit(f"Badges: {title}")
    event_menu(page, "Check-in")
    visit(re.compile(r"^Check-in.*$"))
    event_menu(page, "Summary")
    visit(re.compile(r"^Summary.*$"))
    event_menu(page, "Participants")
    visit(re.compile(r"^List of Participants.*$"))
    top(page, "Reports", width)
    visit(re.compile(r"^.*2020.*$"))
    top(page, "Audit log", width)
    visit("Audit log")
    top(page, "Users", width)
    visit("Users")
    page.get_by_role("link", name="Edit admin@example.org").click()
    visit("admin@example.org")
    top(page, "Account", width)
    visit("Your account")
    page.get_by_role("link", name="Change your password").click()
    visit("Change your password")
    assert len(seen) == 24
    assert {"/admin/events/new", f"/admin/events/{DEMO_EVENT_SLUG}/",
            f"/admin/events/{DEMO_EVENT_SLUG}/badges", f"/admin/events/{DEMO_EVENT_SLUG}/checkin",
            f"/admin/events/{DEMO_EVENT_SLUG}/summary", "/admin/reports/2020", "/admin/audit",
            "/admin/users", f"/admin/events/{DEMO_EVENT_SLUG}/participants"} <= set(seen)


@pytest.mark.parametrize("width", WIDTHS)
def test_checkboxes_and_radios_keep_their_natural_size(page, live_server, seeded, demo, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, seeded)
    page.goto(f"{live_server}/admin/events/{DEMO_EVENT_SLUG}/registrations")
    # Pico's natural size is 1.25em: 20 px on a phone, 25 px where Pico grows the font.
    box = page.get_by_label("Select Olivia Hartley").bounding_box()
    assert box["width"] == box["height"]
    assert 16 <= box["height"] <= 26
    page.goto(f"{live_server}/admin/users")
    radio = page.get_by_label("Check-in staff", exact=True).bounding_box()
    assert radio["width"] == radio["height"]
    assert 16 <= radio["height"] <= 26


def test_bulk_cancel_of_three_selected_cancels_exactly_them_audits_and_emails_each(
        page, live_server, seeded, demo, smtp):
    page.set_viewport_size({"width": 1280, "height": 900})
    admin = sign_in(page, live_server, seeded)
    chosen = ["Olivia Hartley", "Nurul Hakim", "Ka-ming Chan"]
    with seeded.app_context():
        waiting = set(db.session.scalars(select(Registration.email).where(
            Registration.event_id == demo, Registration.status == "waitlisted")))
    assert len(waiting) == 2
    page.goto(f"{live_server}/admin/events/{DEMO_EVENT_SLUG}/registrations?status=confirmed")
    # With JavaScript, one box ticks the whole page (and a count says what is selected).
    page.get_by_label("Select every registration on this page").check()
    expect(page.locator("#selected-count")).to_have_text("30 registrations selected",
                                                         use_inner_text=True)
    page.get_by_label("Select every registration on this page").uncheck()
    expect(page.locator("#selected-count")).to_be_hidden()
    for name in chosen:
        page.get_by_label(f"Select {name}").check()
    expect(page.locator("#selected-count")).to_have_text("3 registrations selected",
                                                         use_inner_text=True)
    page.get_by_role("button", name="Cancel…").click()
    expect_h1(page, "Cancel 3 registrations?")
    expect(page.locator(".confirm-people li")).to_have_text([
        "Olivia Hartley (Australia)", "Nurul Hakim (Brunei Darussalam)",
        "Ka-ming Chan (Hong Kong, China)"], use_inner_text=True)
    assert_page_is_fine(page, 1280)
    page.get_by_label("Reason").fill("The room is smaller than planned")
    page.get_by_role("button", name="Yes, cancel 3 registrations").click()
    page.wait_for_url("**/registrations")
    expect(page.get_by_role("status")).to_have_text(
        "Cancelled 3 registrations. Confirmed 2 from the waiting list.", use_inner_text=True)
    with seeded.app_context():
        rows = db.session.execute(select(Registration.given_name, Registration.family_name,
                                         Registration.status, Registration.email)
                                  .where(Registration.event_id == demo)).all()
        cancelled_now = {f"{g} {f}" for g, f, s, _ in rows if s == "cancelled"}
        assert cancelled_now == set(chosen) | {"Catalina Muñoz Rojas", "Wei Zhang"}
        emails = {f"{g} {f}": e for g, f, _, e in rows}
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "cancelled", AuditEntry.details["bulk"].as_integer() == 3)
        ).all()
        admin_id = db.session.scalar(select(User.id).where(User.email == admin))
        assert sorted(e.object_id for e in entries) == sorted(db.session.scalars(
            select(Registration.id).where(Registration.email.in_(
                [emails[n] for n in chosen]))))
        assert {(e.user_id, e.details["reason"]) for e in entries} == {
            (admin_id, "The room is smaller than planned")}
        assert {e for e in waiting if db.session.scalar(select(Registration.status).where(
            Registration.email == e, Registration.event_id == demo)) == "confirmed"} == waiting
        unsent = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None)))
        assert unsent is None
    subject = "Registration cancelled: Practice Workshop on Event Security (fictional demo)"
    assert sorted(r for r, s in smtp.messages if s == subject) == sorted(
        emails[n] for n in chosen)
    assert sorted(r for r, s in smtp.messages if s.startswith("A place is yours")) == sorted(
        waiting)


def test_destructive_actions_ask_first_without_javascript(browser, live_server, seeded, demo):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390,
                                                                       "height": 900})
    set_deadline(context)
    page = context.new_page()
    sign_in(page, live_server, seeded)
    # The organiser cancels one registration: a page asks, with the reason, first.
    page.goto(f"{live_server}/admin/events/{DEMO_EVENT_SLUG}/registrations")
    page.get_by_role("link", name="Olivia Hartley").click()
    page.get_by_role("button", name="Cancel the registration…").click()
    expect_h1(page, "Cancel the registration of Olivia Hartley?")
    with seeded.app_context():
        assert db.session.scalar(select(Registration.status).where(
            Registration.given_name == "Olivia", Registration.event_id == demo)) == "confirmed"
    page.get_by_role("link", name="No, go back").click()
    expect_h1(page, "Olivia Hartley")
    page.get_by_role("button", name="Cancel the registration…").click()
    page.get_by_label("Reason").fill("Asked by phone")
    page.get_by_role("button", name="Yes, cancel the registration").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Cancelled the registration of Olivia Hartley.", use_inner_text=True)
    # Deleting an agenda item.
    page.goto(f"{live_server}/admin/events/{DEMO_EVENT_SLUG}/agenda")
    page.get_by_text("Move or edit Side meeting of the organisers").click()
    page.get_by_role("button", name="Delete… Side meeting of the organisers").click()
    expect_h1(page, "Delete “Side meeting of the organisers”?")
    with seeded.app_context():
        assert db.session.scalar(select(AgendaItem.status).where(
            AgendaItem.title == "Side meeting of the organisers")) == "confirmed"
    page.get_by_role("button", name="Yes, mark it cancelled").click()
    expect_flash(page, "“Side meeting of the organisers” was already public: it is now "
                       "marked cancelled")
    with seeded.app_context():
        assert db.session.scalar(select(AgendaItem.status).where(
            AgendaItem.title == "Side meeting of the organisers")) == "cancelled"
    # Deactivating an account.
    with seeded.app_context():
        create_user("door@example.org", PASSWORD, "checkin")
    page.goto(f"{live_server}/admin/users")
    page.get_by_role("link", name="Deactivate… door@example.org").click()
    expect_h1(page, "Deactivate door@example.org?")
    with seeded.app_context():
        assert db.session.scalar(select(User.active).where(User.email == "door@example.org"))
    page.get_by_role("button", name="Yes, deactivate").click()
    expect(page.get_by_role("status")).to_contain_text("door@example.org is deactivated",
                                                       use_inner_text=True)
    with seeded.app_context():
        assert not db.session.scalar(select(User.active).where(User.email == "door@example.org"))
    context.close()


def test_delegate_cancel_asks_first_and_passes_axe(page, live_server, seeded, demo):
    from eventsapp.registration.services import register
    from eventsapp.registration.validation import clean_registration

    with seeded.app_context():
        event = db.session.get(Event, demo)
        token = register(event, clean_registration({
            "given_name": "Ana", "family_name": "Ruiz", "email": "ana@example.org"}),
            notify=False).token
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server}/registrations/{token}")
        page.get_by_role("button", name="Cancel my registration…").click()
        expect_h1(page, "Cancel your registration?")
        assert_page_is_fine(page, width)
        page.get_by_role("link", name="No, keep my registration").click()
        expect_h1(page, "Your registration")
    with seeded.app_context():
        assert db.session.scalar(select(Registration.status).where(
            Registration.email == "ana@example.org")) == "waitlisted"
    page.get_by_role("button", name="Cancel my registration…").click()
    page.get_by_role("button", name="Yes, cancel my registration").click()
    expect_h1(page, "Your registration")
    with seeded.app_context():
        assert db.session.scalar(select(Registration.status).where(
            Registration.email == "ana@example.org")) == "cancelled"


@pytest.mark.parametrize("width", WIDTHS)
def test_check_in_staff_see_only_their_desk_and_no_organiser_menu(page, live_server, seeded,
                                                                   demo, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, seeded, role="checkin")
    expect_h1(page, "Your account")
    nav = page.get_by_role("navigation", name="Site")
    if width < 768:
        nav.locator("summary", has_text="Menu").click()
    links = nav.get_by_role("link").all_inner_texts()
    assert [t for t in links if t not in ("eventsapp",)] == [
        "Events", "Check-in desks", "Password"]
    if width < 768:
        nav.locator("summary", has_text="Menu").click()  # closes it again
    page.get_by_role("link", name="Practice Workshop on Event Security (fictional demo)").click()
    expect_h1(page, re.compile(r"^Check-in"))
    expect(page.get_by_role("navigation", name=re.compile("^Manage "))).to_have_count(0)
    assert_page_is_fine(page, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_confirmation_and_password_pages_pass_axe_and_fit(page, live_server, seeded, demo,
                                                          width):
    from eventsapp.tokens import new_token

    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server + "/login")
    assert_page_is_fine(page, width)
    page.get_by_role("link", name="Forgot your password?").click()
    expect_h1(page, "Forgot your password?")
    assert_page_is_fine(page, width)
    page.get_by_label("Email").fill("someone@example.org")
    page.get_by_role("button", name="Email me a link").click()
    expect_h1(page, "Sign in")
    expect(page.get_by_role("status")).to_contain_text(
        "If someone@example.org belongs to an account", use_inner_text=True)
    with seeded.app_context():
        user = create_user("door@example.org", PASSWORD, "checkin")
        with unit_of_work():  # a reset link as request_password_reset makes it (the
            token = links._new_link(user, RESET, utcnow())  # outbox keeps it sealed)
    body = f"/login/set-password/{token}"
    path = re.search(r"/login/set-password/[A-Za-z0-9_-]{43}", body).group(0)
    page.goto(live_server + path)
    expect_h1(page, "Choose a new password")
    assert_page_is_fine(page, width)
    page.goto(live_server + "/login/set-password/" + new_token())
    expect_h1(page, "This link no longer works")
    assert_page_is_fine(page, width)

    sign_in(page, live_server, seeded)
    page.goto(f"{live_server}/admin/events/{DEMO_EVENT_SLUG}/registrations?status=waitlisted")
    page.get_by_label("Select all 2 matching registrations, on every page").check()
    page.get_by_role("button", name="Cancel…").click()
    expect_h1(page, "Cancel 2 registrations?")
    assert_page_is_fine(page, width)
    page.get_by_role("button", name="Yes, cancel 2 registrations").click()
    # The reason is missing: said next to it, on the same page (awaited by the error).
    expect(page.get_by_role("alert").get_by_role("link")).to_have_text(
        "Reason: This field is required.", use_inner_text=True)
    expect_h1(page, "Cancel 2 registrations?")
    assert_page_is_fine(page, width)
    page.get_by_label("Reason").fill("The waiting list is closed")
    page.get_by_role("button", name="Yes, cancel 2 registrations").click()
    expect_h1(page, "Registrations")
    expect(page.get_by_role("status")).to_have_text("Cancelled 2 registrations.",
                                                    use_inner_text=True)
    page.goto(f"{live_server}/admin/users")
    page.get_by_role("link", name="Deactivate… door@example.org").click()
    expect_h1(page, "Deactivate door@example.org?")
    assert_page_is_fine(page, width)
