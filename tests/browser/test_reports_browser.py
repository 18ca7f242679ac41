"""Real Chromium: the summaries, the List of Participants and the year's report pass axe."""

import pytest
from playwright.sync_api import expect

from tests.browser.axe_check import assert_no_axe_violations
from tests.browser.waits import expect_h1
from tests.reports import dataset

PASSWORD = "correct horse battery staple"
ORGANISER_PAGES = [
    ("/admin/events/ctwg-15/summary", "Summary: 15th Counter-Terrorism Working Group Meeting"),
    ("/admin/events/ctwg-15/participants",
     "List of Participants: 15th Counter-Terrorism Working Group Meeting"),
    ("/admin/reports/2020", "APEC Counter-Terrorism Working Group: report on 2020"),
    ("/admin/reports/2020/deliverables/1.5", "Deliverable 1.5: report entry"),
]
PUBLIC_PAGES = [
    ("/events/ctwg-15/summary", "Summary: 15th Counter-Terrorism Working Group Meeting"),
    ("/events/ctwg-15/participants",
     "List of Participants: 15th Counter-Terrorism Working Group Meeting"),
]


SHOTS = __import__("pathlib").Path(__file__).resolve().parent / "screenshots"


def shot(page, name: str) -> None:
    """Screenshots for a person to look at (kept out of git)."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)



@pytest.fixture
def signed_in(page, live_server, seeded):
    from eventsapp.auth.services import create_user

    with seeded.app_context():
        dataset.build()
        create_user("organiser@example.org", PASSWORD, "organiser")
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill("organiser@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


@pytest.mark.parametrize("width", [1280, 390])
def test_organiser_report_pages_pass_axe(signed_in, live_server, width):
    page = signed_in
    page.set_viewport_size({"width": width, "height": 900})
    for path, heading in ORGANISER_PAGES:
        response = page.goto(live_server + path)
        assert response.status == 200, path
        expect_h1(page, heading)
        assert_no_axe_violations(page)
        shot(page, "report" + path.replace("/", "-") + f"-{width}")


def test_summary_charts_are_images_with_names(signed_in, live_server):
    page = signed_in
    page.goto(live_server + "/admin/events/ctwg-15/summary")
    expect(page.get_by_role("img", name="Registered by economy")).to_have_count(1)
    expect(page.get_by_role("img", name="Registrations held over time")).to_have_count(1)


def test_deliverable_form_saves_and_returns_to_the_report(signed_in, live_server):
    page = signed_in
    page.goto(live_server + "/admin/reports/2020/deliverables/1.5")
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_label("What happened").fill("Drafted after the 16th meeting.")
    page.get_by_label("2. Increase cooperation", exact=False).check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/admin/reports/2020#d-1.5")
    section = page.locator("#d-1\\.5")
    expect(section).to_contain_text("In progress", use_inner_text=True)
    expect(section).to_contain_text("Drafted after the 16th meeting.", use_inner_text=True)
    assert_no_axe_violations(page)


@pytest.mark.parametrize("width", [1280, 390])
def test_public_report_pages_pass_axe(page, live_server, seeded, width):
    with seeded.app_context():
        dataset.build()
    page.set_viewport_size({"width": width, "height": 900})
    for path, heading in PUBLIC_PAGES:
        response = page.goto(live_server + path)
        assert response.status == 200, path
        expect_h1(page, heading)
        assert_no_axe_violations(page)
