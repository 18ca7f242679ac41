"""Real Chromium: the privacy notice, a registrant's "Your data" section (download, ask for
erasure) and the organisers' privacy page pass axe at 1280 and 390 px."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsapp.events.services import event_starts_at
from eventsapp.extensions import db
from eventsapp.models import Event
from eventsapp.registration.services import register
from eventsapp.registration.validation import clean_registration
from tests.auth.fixtures import make_user as make_user  # noqa: F401  (a fixture)
from tests.browser.axe_check import assert_no_axe_violations
from tests.browser.test_admin_browser import sign_in
from tests.browser.waits import expect_flash, expect_h1


@pytest.mark.parametrize("width", [1280, 390])
def test_privacy_pages_pass_axe(page, live_server, seeded, make_user, width):
    page.set_viewport_size({"width": width, "height": 900})
    with seeded.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "ctwg-16"))
        event.registration_opens_at = event.registration_closes_at = None
        db.session.commit()
        token = register(event, clean_registration({
            "given_name": "Aroha", "family_name": "Ngata", "email": "aroha@example.org",
            "economy": "NZ", "dietary": "halal"}), notify=False,
            now=event_starts_at(event) - timedelta(days=1)).token  # 2020: before it began
    page.goto(live_server + "/privacy")
    expect_h1(page, "Privacy notice")
    assert_no_axe_violations(page)

    page.goto(f"{live_server}/registrations/{token}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data (JSON)").click()
    assert download.value.suggested_filename == "registration-ctwg-16.json"
    page.get_by_role("button", name="Ask for my data to be erased").click()
    expect_flash(page, "The organisers will erase your data by")
    assert_no_axe_violations(page)

    sign_in(page, live_server, make_user("admin"))
    # Reachable by clicking: the event's overview, then its menu.
    page.goto(live_server + "/admin/events/ctwg-16/")
    page.get_by_role("navigation", name=re.compile("^Manage ")).get_by_role(
        "link", name="Privacy", exact=True).click()
    expect_h1(page, re.compile(r"^Privacy:"))
    expect(page.get_by_role("button", name="Erase the data of Aroha Ngata")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto(live_server + "/admin/privacy")
    assert_no_axe_violations(page)
