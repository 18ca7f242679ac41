"""Real Chromium at 1280 and 390 px: an organiser writes to the confirmed participants by
clicking from /admin/ (event menu → Messages → Write to participants → preview → send → the
delivery page), sets a reminder and opens the year's messages; every page passes axe and fits."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from eventsapp.mail.outbox import deliver_pending
from tests.browser.test_organiser_day_browser import (  # noqa: F401  (fixtures)
    WIDTHS,
    app_config,
    assert_page_is_fine,
    demo,
    event_menu,
    sign_in,
    smtp,
    smtp_port,
    top,
)
from tests.browser.waits import expect_flash, expect_h1

TITLE = "Practice Workshop on Event Security (fictional demo)"


@pytest.mark.parametrize("width", WIDTHS)
def test_compose_preview_send_and_follow_the_delivery(
        page, live_server, seeded, demo, smtp, width):  # noqa: F811  (imported fixtures)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, seeded)
    page.get_by_role("link", name=TITLE, exact=True).click()
    event_menu(page, "Messages")
    expect_h1(page, "Messages")
    assert_page_is_fine(page, width)

    page.get_by_role("link", name="Write to participants").click()
    expect_h1(page, "Write to participants")
    expect(page.get_by_role("checkbox", name="Confirmed", exact=True)).to_be_checked()
    page.get_by_label("Subject").fill("Logistics for {event}")
    page.get_by_label("Message", exact=True).fill(
        "Dear {given_name},\nthe meeting room has moved. Details: {event_url}")
    page.get_by_label("Attach the event's calendar file (.ics)").check()
    assert_page_is_fine(page, width)
    page.get_by_role("button", name="Preview and count the recipients").click()

    expect_h1(page, "Check and send: Logistics for {event}")
    expect(page.get_by_role("heading", name="It goes to 30 people")).to_be_visible()
    expect(page.locator("pre.mail-body")).to_have_text(
        re.compile(r"^Dear [\s\S]*the meeting room has moved"), use_inner_text=True)
    assert_page_is_fine(page, width)
    # Preview as another recipient.
    second = page.locator("#as option").nth(1)
    second_name = second.inner_text().split(" (")[0]
    page.get_by_label("Preview as").select_option(index=1)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name=f"As {second_name} receives it")).to_be_visible()

    page.get_by_role("button", name="Send to 30 people").click()
    expect_h1(page, "Logistics for {event}")
    expect_flash(page, "Sent to 30 people")
    assert_page_is_fine(page, width)
    with seeded.app_context():
        assert deliver_pending() == (30, 0)
    page.reload()
    expect(page.locator(".delivery-counts")).to_have_text(re.compile(r"30 sent\s*·\s*0 queued"),
                                                          use_inner_text=True)
    assert len(smtp.messages) == 30
    assert_page_is_fine(page, width)

    event_menu(page, "Messages")
    page.get_by_role("link", name="Add a reminder").click()
    expect_h1(page, "Add a reminder")
    assert_page_is_fine(page, width)
    page.get_by_label("At (the event's local time)").fill("08:00")
    page.get_by_label("Subject").fill("Tomorrow: {event}")
    page.get_by_label("Message", exact=True).fill("Dear {given_name}, see you tomorrow.")
    page.get_by_role("button", name="Save the reminder").click()
    expect(page.get_by_role("cell", name="1 day before the first day at 08:00")).to_be_visible()
    assert_page_is_fine(page, width)

    top(page, "Messages", width)
    expect_h1(page, "Messages to the participants of 2020")
    assert_page_is_fine(page, width)
    page.get_by_role("link", name="Write to participants").click()
    expect_h1(page, "Write to participants")
    assert_page_is_fine(page, width)
