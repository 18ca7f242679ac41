"""Real Chromium: register, see the confirmation, fill the event, join the waiting list.

Axe finds no WCAG 2.2 AA violation on the forms, with and without errors.
"""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import Event
from tests.browser.axe_check import assert_no_axe_violations
from tests.browser.waits import expect_flash, expect_h1
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
    expect_h1(page, "Your registration")
    expect(page.locator(".registration-status")).to_contain_text("Confirmed.",
                                                                 use_inner_text=True)
    expect_flash(page, "Your registration is confirmed.")
    assert_no_axe_violations(page)

    page.goto(live_server + "/events/ctwg-15")
    page.get_by_role("button", name="Join the waiting list").click()
    page.wait_for_url("**/events/ctwg-15/register")
    expect(page.locator(".registration-form")).to_contain_text("This event is full.",
                                                               use_inner_text=True)
    fill(page, "Minh Khai", "Nguyễn Thị", "khai@example.org", economy="Viet Nam (VN)")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/registrations/*")
    expect(page.locator(".registration-status")).to_contain_text(
        "On the waiting list: you are number 1.", use_inner_text=True)


def test_form_with_errors_passes_axe_and_links_to_fields(page, live_server, small_event):
    page.goto(live_server + "/events/ctwg-15/register")
    page.get_by_label("Email address").fill("not-an-email")
    page.get_by_role("button", name="Register").click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem",
                                                        use_inner_text=True)
    expect(summary.get_by_role("link")).to_have_text([
        "Given name: Enter your given name.",
        "Family name: Enter your family name.",
        "Email address: Enter a valid email address (An email address must have an @-sign.).",
    ], use_inner_text=True)
    expect(page.get_by_label("Email address")).to_have_value("not-an-email")
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_no_axe_violations(page)
    summary.get_by_role("link", name="Given name: Enter your given name.").click()
    expect(page.locator("#given_name")).to_be_focused()


def test_delegation_form_passes_axe(page, live_server, small_event):
    page.goto(live_server + "/events/ctwg-15/register/delegation")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Register the delegation").click()
    expect(page.get_by_role("alert")).to_contain_text("Add at least one delegate.",
                                                      use_inner_text=True)
    assert_no_axe_violations(page)


def test_new_link_page_passes_axe_with_and_without_errors(page, live_server, small_event):
    page.goto(live_server + "/events/ctwg-15/register")
    page.get_by_role("link", name="Get a new link").click()
    page.wait_for_url("**/events/ctwg-15/new-link")
    assert_no_axe_violations(page)
    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Email me a new link").click()
    expect(page.locator(".error-summary")).to_contain_text("Enter a valid email address",
                                                           use_inner_text=True)
    assert_no_axe_violations(page)
    page.get_by_label("Email address").fill("hanako@example.org")
    page.get_by_role("button", name="Email me a new link").click()
    # The same address answers: awaited by its flash, not by the URL.
    expect_flash(page, "If hanako@example.org is registered")
    expect(page).to_have_url(re.compile(r"/events/ctwg-15/new-link$"))
    assert_no_axe_violations(page)
