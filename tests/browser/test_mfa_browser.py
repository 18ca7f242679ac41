"""Real Chromium: an organiser whose role requires a second factor sets it up from the QR
page (the key typed into pyotp stands for the phone), saves the recovery codes, signs out,
and signs in again with the password and a code; axe finds no violation on any step."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.auth.fixtures import PASSWORD
from tests.auth.fixtures import make_user as make_user  # noqa: F401  (a fixture)
from tests.browser.axe_check import assert_no_axe_violations
from tests.browser.waits import expect_flash, expect_h1


@pytest.fixture
def app_config():
    return {"MFA_REQUIRED_ROLES": ("admin", "organiser")}


def next_step_code(secret: str) -> str:
    """The code of the next 30-second step: accepted (one step of drift is allowed) and
    later than the one used to set up (a code is accepted once)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


@pytest.mark.parametrize("width", [1280, 390])
def test_enrol_with_the_qr_page_then_sign_in_with_a_code(page, live_server, make_user, width):
    page.set_viewport_size({"width": width, "height": 900})
    email = make_user("organiser")
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/mfa/setup")
    expect_h1(page, "Set up two-step sign-in")
    expect(page.get_by_role("img", name="QR code for setting up eventsapp")).to_be_visible()
    assert_no_axe_violations(page)

    secret = page.locator("#mfa-key").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("alert")).to_be_visible()  # the same page again, with the error
    assert_no_axe_violations(page)
    first = pyotp.TOTP(secret).now()
    page.get_by_label("Code from the app").fill(first)
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect_h1(page, "Your recovery codes")
    expect(page.locator("#recovery-codes code")).to_have_text(
        [re.compile(r"^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$")] * 10, use_inner_text=True)
    assert_no_axe_violations(page)
    page.get_by_role("link", name="I have saved them: continue").click()
    expect_h1(page, "Your account")
    page.goto(live_server + "/admin/")
    expect_h1(page, "Dashboard")

    if width < 768:  # on a phone the top navigation is folded into its "Menu"
        page.get_by_text("Menu", exact=True).click()
    page.get_by_role("button", name="Sign out").locator("visible=true").first.click()
    expect_flash(page, "You have signed out.")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/login/mfa")
    assert_no_axe_violations(page)
    page.get_by_label("Code", exact=True).fill(next_step_code(secret))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/admin/")
    expect_h1(page, "Dashboard")
