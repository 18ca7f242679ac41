"""Real Chromium: an organiser signs in, edits the agenda by keyboard and by dragging,
publishes, and sees the item on the public page; axe finds no violation."""

import pytest
from playwright.sync_api import expect

from tests.auth.fixtures import PASSWORD
from tests.auth.fixtures import make_user as make_user  # noqa: F401  (a fixture)
from tests.browser.axe_check import assert_no_axe_violations
from tests.browser.waits import expect_h1


def sign_in(page, live_server, email):
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")


def card(page, title):
    return page.locator(".agenda-card", has_text=title)


def time_of(page, title):
    return card(page, title).locator(".agenda-time")


@pytest.mark.parametrize("width", [1280, 390])
def test_dashboard_and_agenda_editor_pass_axe(page, live_server, make_user, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, make_user("admin"))
    expect_h1(page, "Dashboard")
    assert_no_axe_violations(page)
    page.goto(live_server + "/admin/events/star-xi/agenda")
    assert_no_axe_violations(page)
    page.goto(live_server + "/admin/events/star-xi/edit")
    assert_no_axe_violations(page)
    page.goto(live_server + "/account/password")
    expect_h1(page, "Change your password")
    assert_no_axe_violations(page)


def test_add_move_by_keyboard_and_drag_then_publish(page, live_server, make_user):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, make_user("organiser"))
    page.goto(live_server + "/admin/events/star-xi/agenda")
    page.get_by_role("button", name="Add an item", exact=True).click()
    page.get_by_label("Title").fill("Drone threats briefing")
    page.get_by_label("Day").fill("2020-08-04")
    page.get_by_label("Starts").fill("16:00")
    page.get_by_label("Ends").fill("16:30")
    page.get_by_label("Room (optional)").fill("Room 2")
    page.get_by_role("button", name="Add to the draft agenda").click()
    page.wait_for_url("**/admin/events/star-xi/agenda#item-*")
    expect(time_of(page, "Drone threats briefing")).to_have_text("16:00–16:30", use_inner_text=True)

    # Keyboard: open the item's menu, focus the "later" button and press Enter.
    page.get_by_text("Move or edit Drone threats briefing").click()
    page.get_by_role("button", name="Move Drone threats briefing 15 minutes later").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(time_of(page, "Drone threats briefing")).to_have_text("16:15–16:45", use_inner_text=True)

    # Drag by the handle onto the 17:00 row of the same day.
    handle = card(page, "Drone threats briefing").locator(".drag-handle")
    target = page.locator('.grid-slot[data-day="2020-08-04"][data-time="17:00"]')
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    target.scroll_into_view_if_needed()
    tbox = target.bounding_box()
    drop_y = tbox["y"] + tbox["height"] / 2
    for step in range(1, 11):
        page.mouse.move(box["x"] + 5, box["y"] + (drop_y - box["y"]) * step / 10)
    with page.expect_navigation():
        page.mouse.up()
    expect(time_of(page, "Drone threats briefing")).to_have_text("17:00–17:30", use_inner_text=True)

    with page.expect_navigation():
        page.get_by_role("button", name="Publish the agenda").click()
    page.goto(live_server + "/events/star-xi")
    item = page.locator(".agenda-item", has_text="Drone threats briefing")
    expect(item.locator(".agenda-time")).to_have_text("17:00–17:30", use_inner_text=True)
    expect(item.locator(".agenda-room")).to_have_text("Room: Room 2", use_inner_text=True)
