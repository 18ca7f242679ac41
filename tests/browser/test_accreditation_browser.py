"""Real Chromium on CTWG 16 run the APEC way (the demo seed): a focal point approves and
declines on their approval page; a head of delegation manages the delegation by private
link; the secretariat's pages. Axe finds no WCAG 2.2 AA violation at 1280 and 390 px."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from eventsapp.seed.demo import DEMO_PASSWORD, load_accreditation_demo, load_demo_registrations
from tests.browser.axe_check import assert_no_axe_violations
from tests.browser.waits import expect_h1

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
    expect_h1(page, "Accreditation")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Approvals for 16th Counter-Terrorism Working Group "
                                   "Meeting").click()
    page.wait_for_url("**/admin/events/ctwg-16/approvals")
    cards = page.locator("article.decision")
    expect(cards).to_have_count(1)
    expect(cards.first.get_by_role("heading")).to_have_text("Nur Hidayah Osman",
                                                            use_inner_text=True)
    assert_no_axe_violations(page)
    shot(page, "approvals", width)

    # Declining needs a reason: the error is next to the field and in the summary.
    cards.first.locator("summary").click()
    cards.first.get_by_role("button", name="Decline Nur Hidayah Osman").click()
    summary = page.get_by_role("alert").get_by_role("link")
    expect(summary).to_have_text([
        "Reason for declining: Give the reason for declining: it is emailed to the person."],
        use_inner_text=True)
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary.click()
    expect(page.locator(":focus")).to_have_id(re.compile(r"^reason-"))
    assert_no_axe_violations(page)
    shot(page, "approvals-error", width)

    page.get_by_role("button", name="Approve").click()
    # The answer comes at the approvals page again: awaited by its flash, not by the URL.
    expect(page.locator(".flashes")).to_have_text("Approved Nur Hidayah Osman: confirmed.",
                                                  use_inner_text=True)
    expect(page).to_have_url(re.compile(r"/admin/events/ctwg-16/approvals$"))
    expect(page.get_by_text("Nobody is waiting for a decision.")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Delegation of Singapore").click()
    page.wait_for_url("**/admin/events/ctwg-16/delegations/SGP")
    expect(page.locator("article.member")).to_have_count(3)
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
    expect_h1(page, "Delegation of Thailand")
    members = page.locator("article.member")
    expect(members).to_have_count(3)
    assert_no_axe_violations(page)
    shot(page, "head-delegation", width)

    page.get_by_role("button", name="Substitute Nok Saelim").click()
    expect_h1(page, "Substitute for Nok Saelim")
    assert_no_axe_violations(page)
    page.get_by_label("Given name").fill("Chaiwat")
    page.get_by_label("Family name").fill("Thongdee")
    page.get_by_label("Email address").fill("chaiwat@demo.example")
    page.get_by_role("button", name="Substitute").click()
    page.wait_for_url("**/delegation")
    expect(page.locator(".flashes")).to_have_text(
        "Chaiwat Thongdee takes the place of Nok Saelim; both have been emailed.",
        use_inner_text=True)

    def status_of(name: str):
        member = members.filter(has=page.get_by_role("heading", name=name, exact=True))
        return member.locator(".decision-status")

    expect(status_of("Chaiwat Thongdee")).to_have_text("Confirmed", use_inner_text=True)
    expect(status_of("Nok Saelim")).to_have_text("Cancelled", use_inner_text=True)
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
    expect(page.locator("article.decision")).to_have_count(6)
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Registration mode and quotas").click()
    expect(page.get_by_label("Most places for observer (optional)")).to_have_value("10")
    assert_no_axe_violations(page)
    shot(page, "settings", width)
    page.locator("nav.event-menu").get_by_role("link", name="Invitations", exact=True).click()
    expect_h1(page, re.compile(r"^Invitations:"))
    assert_no_axe_violations(page)
    shot(page, "invitations", width)
    [(_email, invitation)] = demo.invitations
    page.goto(live_server + invitation)
    assert_no_axe_violations(page)
    shot(page, "invitation", width)
