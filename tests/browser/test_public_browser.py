"""Real Chromium: the public pages work and axe finds no WCAG 2.2 AA violation."""

import pytest

from tests.browser.axe_check import assert_no_axe_violations
from tests.browser.waits import expect_h1


@pytest.mark.parametrize("width", [1280, 390])
def test_home_then_event_page_pass_axe(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server + "/")
    expect_h1(page, "APEC Counter-Terrorism Working Group Work Plan for 2020")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="11th Secure Trade in APEC Region Conference (STAR XI)").click()
    page.wait_for_url("**/events/star-xi")
    expect_h1(page, "11th Secure Trade in APEC Region Conference (STAR XI)")
    assert_no_axe_violations(page)


def test_not_found_page_passes_axe(page, live_server):
    response = page.goto(live_server + "/events/nope")
    assert response.status == 404
    assert_no_axe_violations(page)
