"""Real Chromium: register, see the confirmation, fill the event, join the waiting list.

Axe finds no WCAG 2.2 AA violation on the forms, with and without errors.
"""

import pytest
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import Event
from tests.browser.axe_check import assert_no_axe_violations
from tests.support import move_to_future


@pytest.fixture
def small_event(seeded):
    # Registration closes when an event begins: CTWG 15 (2020) moves to a day ahead.
    move_to_future(seeded, "ctwg-15")
    with seeded.app_context():
        ev = db.session.scalar(select(Event).filter_by(slug="ctwg-15"))
        ev.capacity = 1
        db.session.commit()


def fill(page, given, family, email, economy="Japan (JPN)"):
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Economy (optional)").select_option(label=economy)


@pytest.mark.parametrize("width", [1280, 390])
def test_register_until_full_then_join_waiting_list(page, live_server, small_event, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server + "/events/ctwg-15")
    page.get_by_role("button", name="Register", exact=True).click()
    page.wait_for_url("**/events/ctwg-15/register")
    assert_no_axe_violations(page)

    fill(page, "花子", "佐藤", "hanako@example.org")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/registrations/*")
    assert page.get_by_role("heading", level=1).inner_text() == "Your registration"
    assert "Confirmed." in page.locator(".registration-status").inner_text()
    assert "Your registration is confirmed." in page.locator(".flashes").inner_text()
    assert_no_axe_violations(page)

    page.goto(live_server + "/events/ctwg-15")
    page.get_by_role("button", name="Join the waiting list").click()
    assert "This event is full." in page.locator(".registration-form").inner_text()
    fill(page, "Minh Khai", "Nguyễn Thị", "khai@example.org", economy="Viet Nam (VN)")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/registrations/*")
    assert "On the waiting list: you are number 1." in page.locator(
        ".registration-status").inner_text()


def test_form_with_errors_passes_axe_and_links_to_fields(page, live_server, small_event):
    page.goto(live_server + "/events/ctwg-15/register")
    page.get_by_label("Email address").fill("not-an-email")
    page.get_by_role("button", name="Register").click()
    summary = page.get_by_role("alert")
    assert summary.get_by_role("heading").inner_text() == "There is a problem"
    assert summary.get_by_role("link").all_inner_texts() == [
        "Given name: Enter your given name.",
        "Family name: Enter your family name.",
        "Email address: Enter a valid email address (An email address must have an @-sign.).",
    ]
    assert page.get_by_label("Email address").input_value() == "not-an-email"
    assert page.title().startswith("Error: ")
    assert_no_axe_violations(page)
    summary.get_by_role("link", name="Given name: Enter your given name.").click()
    assert page.evaluate("document.activeElement.id") == "given_name"


def test_delegation_form_passes_axe(page, live_server, small_event):
    page.goto(live_server + "/events/ctwg-15/register/delegation")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Register the delegation").click()
    assert "Add at least one delegate." in page.get_by_role("alert").inner_text()
    assert_no_axe_violations(page)


def test_new_link_page_passes_axe_with_and_without_errors(page, live_server, small_event):
    page.goto(live_server + "/events/ctwg-15/register")
    page.get_by_role("link", name="Get a new link").click()
    page.wait_for_url("**/events/ctwg-15/new-link")
    assert_no_axe_violations(page)
    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Email me a new link").click()
    assert "Enter a valid email address" in page.locator(".error-summary").inner_text()
    assert_no_axe_violations(page)
    page.get_by_label("Email address").fill("hanako@example.org")
    page.get_by_role("button", name="Email me a new link").click()
    page.wait_for_url("**/events/ctwg-15/new-link")
    assert "If hanako@example.org is registered" in page.locator(".flashes").inner_text()
    assert_no_axe_violations(page)
