"""Real Chromium: a delegate of three meetings asks /my for a link, follows it from the
mail, sees the three and subscribes once; an organiser fixes the confirmation email and
previews it. axe at 1280 and 390 px, nothing wider than the screen."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import OutboxMessage
from tests.auth.fixtures import make_user as make_user  # noqa: F401  (a fixture)
from tests.browser.axe_check import assert_no_axe_violations
from tests.browser.test_admin_browser import sign_in
from tests.browser.waits import expect_flash, expect_h1
from tests.calendar.samples import parse_everywhere
from tests.support import register_before_start, sent_body

SLUGS = ("ctwg-15", "ctwg-16", "star-xi")


def fits(page) -> bool:
    page.wait_for_load_state("load")  # laid out with its stylesheet
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_delegate_of_three_meetings_subscribes_once(page, live_server, seeded, width):
    page.set_viewport_size({"width": width, "height": 900})
    for slug, typed in zip(SLUGS, ("ana@example.org", "ANA@example.org", "Ana@Example.ORG"),
                           strict=True):
        register_before_start(seeded, slug, {
            "given_name": "Ana", "family_name": "Lima", "email": typed, "economy": "CHL"})
    register_before_start(seeded, "star-xi", {"given_name": "Bo", "family_name": "Chen",
                                              "email": "bo@example.org"})
    page.goto(live_server + "/")
    if width < 768 and page.get_by_text("Menu").is_visible():
        page.get_by_text("Menu").click()
    page.get_by_role("link", name="My meetings").first.click()
    expect_h1(page, "My meetings")
    assert_no_axe_violations(page)
    page.get_by_label("Email address").fill("ana@example.org")
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect_flash(page, "We have emailed a sign-in link to ana@example.org")
    assert_no_axe_violations(page)

    with seeded.app_context():
        message_id = db.session.scalar(select(OutboxMessage.id).order_by(
            OutboxMessage.id.desc()).limit(1))
    link = re.search(r"http://\S+/my/sign-in/\S+", sent_body(seeded, message_id)).group(0)
    page.goto(link)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Show my meetings").click()
    page.wait_for_url("**/my/meetings")
    expect(page.get_by_role("heading", level=2, name="3 registrations")).to_be_visible()
    assert "Chen" not in page.content()
    assert fits(page)
    assert_no_axe_violations(page)

    page.get_by_label("Remind me 15 minutes before each session").check()
    page.get_by_role("button", name="Make my calendar").click()
    # The same page again, now with the calendar (and its button renamed).
    expect(page.get_by_role("button", name="Reset my calendar address")).to_be_visible()
    page.get_by_text("Subscribe in your calendar app").click()
    feed_url = page.locator("#year-feed-url").input_value()
    assert fits(page)
    assert_no_axe_violations(page)
    response = page.request.get(feed_url)
    assert response.status == 200
    cal = parse_everywhere(response.body())
    events = {re.match(r"event-(\d+)", str(e["UID"])).group(1) for e in cal.walk("VEVENT")}
    assert len(events) == 3 and cal.walk("VALARM")

    page.get_by_role("button", name="Sign out of My meetings").click()
    expect_flash(page, "You have left My meetings.")
    page.goto(live_server + "/my/meetings")
    page.wait_for_url("**/my")


@pytest.mark.parametrize("width", [1280, 390])
def test_an_organiser_fixes_a_typo_in_the_confirmation_and_previews_it(
        page, live_server, seeded, make_user, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, make_user("admin"))
    page.goto(live_server + "/admin/events/star-xi/")
    page.get_by_role("navigation", name=re.compile("^Manage ")).get_by_role(
        "link", name="Emails", exact=True).click()
    expect_h1(page, "Emails to registrants")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Confirmation", exact=True).click()
    expect_h1(page, "Confirmation email")
    body = page.get_by_label("Body")
    body.fill(body.input_value().replace("is confirmed.", "is confirmed. Bring your passport."))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".mail-preview")).to_contain_text("Bring your passport.",
                                                          use_inner_text=True)
    assert fits(page)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Save").click()
    expect_flash(page, "Saved the wording")
    page.get_by_label("Body").fill("Dear {given_name.__class__}")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "{given_name.__class__} is not a placeholder", use_inner_text=True)
    assert_no_axe_violations(page)
