"""Real Chromium: an organiser uploads a paper and finds it listed; every documents and
outcomes page passes axe (WCAG 2.2 AA) at 1280 and 390 px wide."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from eventsapp.auth.services import create_user
from tests.browser.axe_check import assert_no_axe_violations
from tests.browser.waits import expect_h1
from tests.documents import files

PASSWORD = "correct horse battery staple"
# Set DOCUMENTS_SCREENSHOTS to a folder to keep what the pages look like.
SHOTS = os.environ.get("DOCUMENTS_SCREENSHOTS")



def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def organiser(page, live_server, seeded):
    with seeded.app_context():
        create_user("organiser@example.org", PASSWORD, "organiser")
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill("organiser@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def upload(page, live_server, tmp_path, title: str, name: str, data: bytes,
           access: str = "Public") -> None:
    path = tmp_path / name
    path.write_bytes(data)
    page.goto(live_server + "/admin/events/ctwg-15/documents")
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_label("Title").fill(title)
    page.get_by_label("Submitted by economy").select_option("CHL")
    page.get_by_label("Who may open it").select_option(label=access)
    page.get_by_label("Agenda item").select_option(
        label="2.1 Strategic Trade Management: preliminary report of the survey findings "
              "(Chile)")
    page.get_by_label("Work plan deliverable").select_option("1.8")
    page.get_by_role("button", name="Upload").click()


@pytest.mark.parametrize("width", [1280, 390])
def test_organiser_uploads_a_paper_and_finds_it_listed(organiser, live_server, tmp_path,
                                                      width):
    page = organiser
    page.set_viewport_size({"width": width, "height": 900})
    # Reached by clicking from the dashboard: the event, then its menu.
    page.goto(live_server + "/admin/")
    page.get_by_role("link", name="15th Counter-Terrorism Working Group Meeting",
                     exact=True).first.click()
    page.get_by_role("navigation", name=re.compile("^Manage ")).get_by_role(
        "link", name="Documents", exact=True).click()
    expect_h1(page, "Documents: 15th Counter-Terrorism Working Group Meeting")
    assert_no_axe_violations(page)

    upload(page, live_server, tmp_path, "Preliminary report on Strategic Trade Management",
           "informe.pdf", files.pdf_bytes("Chile"))
    page.wait_for_url("**/admin/events/ctwg-15/documents#doc-1")
    expect(page.get_by_role("status")).to_have_text(
        "Uploaded 2020/CTWG15/001: Preliminary report on Strategic Trade Management.",
        use_inner_text=True)
    row = page.locator("#doc-1")
    expect(row).to_contain_text("2020/CTWG15/001", use_inner_text=True)
    expect(row).to_contain_text("2.1 Strategic Trade Management", use_inner_text=True)
    assert_no_axe_violations(page)
    shot(page, f"admin-documents-{width}")

    # A refused file: the summary names the field, nothing is listed.
    upload(page, live_server, tmp_path, "Not a PDF", "agenda.pdf", files.HTML)
    expect(page.get_by_role("alert")).to_contain_text(
        "File: This type of file is not accepted", use_inner_text=True)
    assert_no_axe_violations(page)
    shot(page, f"admin-documents-refused-{width}")

    page.goto(live_server + "/admin/events/ctwg-15/documents/1")
    assert_no_axe_violations(page)
    shot(page, f"admin-document-{width}")
    for path in ("/admin/events/ctwg-15/documents/settings", "/admin/events/ctwg-15/outcomes",
                 "/admin/events/ctwg-15/agenda"):
        page.goto(live_server + path)
        assert_no_axe_violations(page)
    shot(page, f"admin-agenda-{width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_public_documents_pages_pass_axe(page, live_server, seeded, runner_demo, width):
    page.set_viewport_size({"width": width, "height": 900})
    for path, heading, name in (
            ("/events/ctwg-15/documents", "List of Documents", "public-list"),
            ("/events/ctwg-15/chairs-summary", "Chair's Summary", "chairs-summary"),
            ("/events/ctwg-15", "15th Counter-Terrorism Working Group Meeting", "event")):
        response = page.goto(live_server + path)
        assert response.status == 200, path
        expect_h1(page, heading)
        assert_no_axe_violations(page)
        shot(page, f"{name}-{width}")


@pytest.fixture
def runner_demo(seeded):
    from eventsapp.seed.documents import load_demo_documents

    with seeded.app_context():
        assert load_demo_documents() == 6
