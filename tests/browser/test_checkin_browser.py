"""Real Chromium on a phone-sized screen: the check-in desk and the badge page pass axe."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import Event
from tests.browser.axe_check import assert_no_axe_violations
from tests.browser.waits import expect_h1
from tests.checkin.factories import make_registration

PASSWORD = "correct horse battery staple"



def sign_in(page, live_server, app, email: str, role: str):
    from eventsapp.auth.services import create_user

    with app.app_context():
        create_user(email, PASSWORD, role)
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture
def ctwg15(seeded) -> int:
    with seeded.app_context():
        return db.session.scalar(select(Event.id).where(Event.slug == "ctwg-15"))


def test_scanner_checks_in_on_a_phone_screen(page, live_server, seeded, ctwg15):
    _, _, code = make_registration(seeded, ctwg15, "Somchai", "Jaidee",
                                   native_name="สมชาย ใจดี", economy="THA")
    make_registration(seeded, ctwg15, "Wait", "Listed", status="waitlisted")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, seeded, "door@example.org", "checkin")

    page.goto(live_server + "/admin/events/ctwg-15/checkin")
    field = page.get_by_label("Badge code or name")
    expect(page.locator("#code")).to_be_focused()
    page.wait_for_load_state("load")  # laid out with its stylesheet
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_axe_violations(page)

    # A USB scanner types the QR content (the bare code) and presses Enter.
    with page.expect_navigation():  # the scanner's Enter submits the form
        page.keyboard.type(f"{code}\n")

    expect(page.locator("#result-heading")).to_have_text(
        "Somchai Jaidee is checked in for 10 February 2020.", use_inner_text=True)
    expect(page.locator(".checkin-person").get_by_text("Thailand")).to_have_count(1)
    expect(page.locator("#code")).to_be_focused()
    page.wait_for_load_state("load")  # laid out with its stylesheet
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_axe_violations(page)

    field.fill("listed")
    with page.expect_navigation():
        field.press("Enter")
    # Someone on the waiting list is refused in the list itself: no button to press.
    listed = page.locator(".checkin-matches li", has_text="Wait Listed")
    expect(listed).to_have_text(re.compile(r"✕ Not admitted: on the waiting list$"),
                                use_inner_text=True)
    expect(page.get_by_role("button", name="Check in Wait Listed")).to_have_count(0)
    assert_no_axe_violations(page)


@pytest.mark.parametrize("width", [1280, 390])
def test_badge_page_passes_axe(page, live_server, seeded, ctwg15, width):
    make_registration(seeded, ctwg15, "Taro", "Yoshino", native_name="\U00030000野太郎",
                      economy="JPN")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, seeded, "organiser@example.org", "organiser")

    page.goto(live_server + "/admin/events/ctwg-15/badges")

    expect_h1(page, re.compile(r"^Badges: "))
    expect(page.get_by_role("heading", name="Some names cannot be printed as written")
           ).to_have_count(1)
    assert_no_axe_violations(page)
