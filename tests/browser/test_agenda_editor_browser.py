"""Real Chromium, keyboard only: moving agenda items keeps the page at the item, the
confirmation beside it and the focus on the control used; blocks are as tall as they
last; axe at 1280 and 390 px; screenshots under tests/browser/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.auth.fixtures import PASSWORD
from tests.auth.fixtures import make_user as make_user  # noqa: F401  (a fixture)
from tests.browser.axe_check import assert_no_axe_violations

SHOTS = Path(__file__).resolve().parent / "screenshots"
TITLE = "Establishing security trade controls"  # STAR XI, 11:00–12:30 in the seed



def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, live_server, email):
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")


def focused(page) -> str:
    """What a screen reader would announce for the focused element: its accessible name."""
    return page.evaluate(
        "() => { const el = document.activeElement;"
        " return el.getAttribute('aria-label') || el.labels?.[0]?.textContent.trim()"
        " || el.textContent.trim(); }")


def press_tab_until(page, name: str, limit: int = 200) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == name:
            return
    raise AssertionError(f"{name!r} was never focused")


def card(page, title):
    return page.locator(".agenda-card", has_text=title)


def expect_focus_on(page, name: str) -> None:
    """Wait for the control named `name` to have the focus: the editor's script gives it
    back after the load event (and the fragment's scroll), a moment after the page loads.
    Buttons are named by aria-label, fields by their label: get_by_label finds both."""
    expect(page.get_by_label(name, exact=True)).to_be_focused()


@pytest.mark.parametrize("width", [1280, 390])
def test_keyboard_only_moves_keep_place_focus_and_say_so_beside_the_item(page, live_server,
                                                                        make_user, width):
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, make_user("organiser"))
    page.goto(live_server + "/admin/events/star-xi/agenda")
    assert_no_axe_violations(page)
    shot(page, f"agenda-{width}")

    # Blocks are as tall as they last: 90 minutes is six times a 15-minute step.
    heights = {t: card(page, t).bounding_box()["height"] for t in (
        TITLE, "Risks to secure trade in the APEC region")}
    assert heights[TITLE] == pytest.approx(90 * 2.4 - 2, abs=1)
    two_hours = card(page, "The role of trade facilitation").bounding_box()["height"]
    assert two_hours == pytest.approx(120 * 2.4 - 2, abs=1)

    # Tab to the item's menu, open it with Enter, Tab to "Later", Enter.
    press_tab_until(page, f"Move or edit {TITLE}")
    page.keyboard.press("Enter")
    assert_no_axe_violations(page)  # the open menu too
    shot(page, f"agenda-menu-open-{width}")
    press_tab_until(page, f"Move {TITLE} 15 minutes later", limit=5)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Back at the item: menu open, the confirmation beside it, focus on "Later" again.
    expect(card(page, TITLE).locator(".card-notice")).to_have_text(
        f"Moved: “{TITLE}” is now Tuesday 4 August 2020, 11:15–12:45.", use_inner_text=True)
    item_id = card(page, TITLE).get_attribute("data-item-id")
    expect(page).to_have_url(re.compile(re.escape(f"#item-{item_id}") + "$"))
    expect_focus_on(page, f"Move {TITLE} 15 minutes later")
    top = card(page, TITLE).bounding_box()["y"]
    assert 40 <= top < 800  # the item is on screen (with some grid above), not the page top
    assert_no_axe_violations(page)
    shot(page, f"agenda-moved-{width}")

    # Enter again moves it again: the keyboard never has to find its way back.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(card(page, TITLE).locator(".agenda-time")).to_have_text("11:30–13:00",
                                                                  use_inner_text=True)
    expect_focus_on(page, f"Move {TITLE} 15 minutes later")

    # "Move to": Tab to the time field, type a start time, Enter.
    press_tab_until(page, f"Move to (start time of {TITLE})", limit=5)
    page.keyboard.type("1710")  # Chromium's time field: hours then minutes
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(card(page, TITLE).locator(".agenda-time")).to_have_text("17:10–18:40",
                                                                  use_inner_text=True)
    expect(card(page, TITLE).locator(".card-notice")).to_have_text(
        re.compile(r"17:10–18:40\.$"), use_inner_text=True)
    expect_focus_on(page, f"Move to (start time of {TITLE})")
    # The block still spans its 90 minutes.
    assert card(page, TITLE).bounding_box()["height"] == pytest.approx(90 * 2.4 - 2, abs=1)
    # Nothing of the agenda (the open menu included) reaches past the window's edge.
    assert page.evaluate(
        "() => [...document.querySelectorAll('main *')].filter(e => e.checkVisibility() && "
        "e.getBoundingClientRect().right > innerWidth).map(e => e.outerHTML.slice(0, 120))"
    ) == []
    assert_no_axe_violations(page)
    shot(page, f"agenda-moved-to-{width}")
