"""Real Chromium: the secretariat sets the 16th CTWG meeting up as a hybrid meeting by
clicking (event menu → Participation), a delegate registers online on the public form and
finds the meeting link on their private page; an in-person delegate does not. Axe finds no
WCAG 2.2 AA violation at 1280 and 390 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from eventsapp.auth.services import create_user
from tests.auth.fixtures import PASSWORD
from tests.browser.axe_check import assert_no_axe_violations
from tests.browser.waits import expect_flash
from tests.support import move_to_future

LINK = "https://meet.example.net/j/16-ctwg?pwd=hybrid"



def assert_fits(page, width: int) -> None:
    page.wait_for_load_state("load")  # laid out with its stylesheet
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture
def secretariat(seeded):
    move_to_future(seeded, "ctwg-16")
    with seeded.app_context():
        create_user("secretariat@example.org", PASSWORD, "admin")
    return "secretariat@example.org"


def register(page, live_server, given, email, mode_label):
    page.goto(live_server + "/events/ctwg-16")
    page.get_by_role("button", name="Register", exact=True).click()
    page.wait_for_url("**/events/ctwg-16/register")
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill("Tan")
    page.get_by_label("Email address").fill(email)
    page.get_by_label(mode_label).check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/registrations/*")


@pytest.mark.parametrize("width", [1280, 390])
def test_hybrid_meeting_set_up_by_clicking_and_registered_online(page, live_server,
                                                                 secretariat, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(secretariat)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")
    page.goto(live_server + "/admin/events/ctwg-16")
    page.get_by_role("link", name="Participation", exact=True).first.click()
    page.wait_for_url("**/admin/events/ctwg-16/participation")
    assert_no_axe_violations(page)
    page.get_by_label("Hybrid: each person takes part in person or online").check()
    page.get_by_label("Places in person (hybrid)").fill("1")
    page.get_by_label("Places online (hybrid)").fill("40")
    page.get_by_label("Online meeting link").fill(LINK)
    page.get_by_label("Passcode and dial-in").fill("Passcode 2020")
    page.get_by_role("button", name="Save").click()
    # The answer comes at the same address: awaited by its flash, not by the URL.
    expect_flash(page, "Saved.")
    expect(page).to_have_url(re.compile(r"/admin/events/ctwg-16/participation$"))
    # Every line after the region's heading, exactly: one row per mode.
    expect(page.get_by_role("region", name="Places per mode")).to_have_text(
        re.compile(r"^[^\n]*\nIn person\t1\t0\t0\t1\nOnline\t40\t0\t0\t40\n?$"),
        use_inner_text=True)
    assert_no_axe_violations(page)
    assert_fits(page, width)

    register(page, live_server, "Wei Ling", "weiling@example.org", "Online")
    expect(page.locator("section[aria-labelledby=participation-h]")).to_contain_text(
        "Online.", use_inner_text=True)
    expect(page.get_by_role("link", name=LINK)).to_have_attribute("href", LINK)
    expect(page.locator(".online-details")).to_contain_text("Passcode 2020",
                                                            use_inner_text=True)
    assert_no_axe_violations(page)
    assert_fits(page, width)

    register(page, live_server, "Arif", "arif@example.org", "In person, at the venue")
    assert LINK not in page.content()
    expect(page.locator("section[aria-labelledby=participation-h]")).to_contain_text(
        "In person, at the venue.", use_inner_text=True)
    page.get_by_role("button", name="Take part online instead").click()
    # The same private page answers: awaited by its flash, not by the URL.
    expect_flash(page, "You now take part online.")
    expect(page).to_have_url(re.compile(r"/registrations/[^/]+$"))
    expect(page.get_by_role("link", name=LINK)).to_have_count(1)
    assert_no_axe_violations(page)
