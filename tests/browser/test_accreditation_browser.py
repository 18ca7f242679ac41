"""Real Chromium on CTWG 16 run the APEC way (the demo seed): a focal point approves and
declines on their approval page; a head of delegation manages the delegation by private
link; the secretariat's pages. Axe finds no WCAG 2.2 AA violation at 1280 and 390 px."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eventsapp.seed.demo import DEMO_PASSWORD, load_accreditation_demo, load_demo_registrations
from tests.browser.axe_check import assert_no_axe_violations

# Screenshots for a person to look at: set SCREENSHOTS=/some/dir to keep them.
SHOTS = os.environ.get("SCREENSHOTS")



def shot(page, name: str, width: int) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)


@pytest.fixture
def demo(seeded):
    with seeded.app_context():
        load_demo_registrations()
        return load_accreditation_demo()


def sign_in(page, live_server, email, lands_on):
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{lands_on}")


@pytest.mark.parametrize("width", [1280, 390])
def test_focal_point_approves_and_declines_on_the_approval_page(page, live_server, demo, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, "focal.sgp@demo.example", "/admin/accreditation")
    assert page.get_by_role("heading", level=1).inner_text() == "Accreditation"
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Approvals for 16th Counter-Terrorism Working Group "
                                   "Meeting").click()
    page.wait_for_url("**/admin/events/ctwg-16/approvals")
    cards = page.locator("article.decision")
    assert cards.count() == 1
    assert cards.first.get_by_role("heading").inner_text() == "Nur Hidayah Osman"
    assert_no_axe_violations(page)
    shot(page, "approvals", width)

    # Declining needs a reason: the error is next to the field and in the summary.
    cards.first.locator("summary").click()
    cards.first.get_by_role("button", name="Decline Nur Hidayah Osman").click()
    assert page.title().startswith("Error: ")
    summary = page.get_by_role("alert").get_by_role("link")
    assert summary.all_inner_texts() == [
        "Reason for declining: Give the reason for declining: it is emailed to the person."]
    summary.click()
    assert page.evaluate("document.activeElement.id").startswith("reason-")
    assert_no_axe_violations(page)
    shot(page, "approvals-error", width)

    page.get_by_role("button", name="Approve").click()
    page.wait_for_url("**/admin/events/ctwg-16/approvals")
    assert page.locator(".flashes").inner_text() == "Approved Nur Hidayah Osman: confirmed."
    assert page.get_by_text("Nobody is waiting for a decision.").is_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Delegation of Singapore").click()
    page.wait_for_url("**/admin/events/ctwg-16/delegations/SGP")
    assert page.locator("article.member").count() == 3
    assert_no_axe_violations(page)
    shot(page, "delegation-staff", width)


@pytest.mark.parametrize("width", [1280, 390])
def test_head_of_delegation_substitutes_a_member_on_the_delegation_page(
        page, live_server, demo, width):
    page.set_viewport_size({"width": width, "height": 900})
    [path] = [p for code, p in demo.heads if code == "THA"]
    page.goto(live_server + path)
    page.get_by_role("link", name="Manage the delegation").click()
    page.wait_for_url("**/delegation")
    assert page.get_by_role("heading", level=1).inner_text() == "Delegation of Thailand"
    members = page.locator("article.member")
    assert members.count() == 3
    assert_no_axe_violations(page)
    shot(page, "head-delegation", width)

    page.get_by_role("button", name="Substitute Nok Saelim").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Substitute for Nok Saelim"
    assert_no_axe_violations(page)
    page.get_by_label("Given name").fill("Chaiwat")
    page.get_by_label("Family name").fill("Thongdee")
    page.get_by_label("Email address").fill("chaiwat@demo.example")
    page.get_by_role("button", name="Substitute").click()
    page.wait_for_url("**/delegation")
    assert page.locator(".flashes").inner_text() == (
        "Chaiwat Thongdee takes the place of Nok Saelim; both have been emailed.")
    statuses = {members.nth(i).get_by_role("heading").inner_text():
                members.nth(i).locator(".decision-status").inner_text()
                for i in range(members.count())}
    assert statuses["Chaiwat Thongdee"] == "Confirmed"
    assert statuses["Nok Saelim"] == "Cancelled"
    assert_no_axe_violations(page)
    shot(page, "head-after-substitution", width)


@pytest.mark.parametrize("width", [1280, 390])
def test_secretariat_pages_pass_axe(page, live_server, demo, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, "secretariat@demo.example", "/admin/")
    # The dashboard opens the event's overview; its menu leads to the approvals.
    page.get_by_role("link", name="16th Counter-Terrorism Working Group Meeting",
                     exact=True).first.click()
    page.wait_for_url("**/admin/events/ctwg-16/")
    page.locator("nav.event-menu").get_by_role("link", name="Approvals", exact=True).click()
    page.wait_for_url("**/admin/events/ctwg-16/approvals")
    assert page.locator("article.decision").count() == 6
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Registration mode and quotas").click()
    assert page.get_by_label("Most places for observer (optional)").input_value() == "10"
    assert_no_axe_violations(page)
    shot(page, "settings", width)
    page.locator("nav.event-menu").get_by_role("link", name="Invitations", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Invitations:")
    assert_no_axe_violations(page)
    shot(page, "invitations", width)
    [(_email, invitation)] = demo.invitations
    page.goto(live_server + invitation)
    assert_no_axe_violations(page)
    shot(page, "invitation", width)
