"""Real Chromium: an organiser adds a question (and the visa preset) by clicking, a
registrant answers it on the public form; axe 0 violations at 1280 and 390 px."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import Answer, Question
from tests.auth.fixtures import make_user as make_user  # noqa: F401  (a fixture)
from tests.browser.axe_check import assert_no_axe_violations
from tests.browser.test_admin_browser import sign_in
from tests.browser.waits import expect_flash, expect_h1
from tests.support import move_to_future


@pytest.mark.parametrize("width", [1280, 390])
def test_organiser_adds_a_question_and_a_registrant_answers_it(page, live_server, seeded,
                                                               make_user, width):
    page.set_viewport_size({"width": width, "height": 900})
    move_to_future(seeded, "ctwg-16")
    sign_in(page, live_server, make_user("admin"))
    page.goto(live_server + "/admin/events/ctwg-16/")
    page.get_by_role("navigation", name=re.compile("^Manage ")).get_by_role(
        "link", name="Questions", exact=True).click()
    expect_h1(page, re.compile(r"^Questions:"))
    page.get_by_role("button", name="Add: Visa support letter").click()
    # The questions page again: the form below is filled only once it has come back.
    expect_flash(page, "Added: “I need a visa support letter”")
    page.get_by_label("Question", exact=True).fill("Hotel")
    page.get_by_label("Kind of answer").select_option("choice")
    page.get_by_label("Choices").fill("Shangri-La\nHilton")
    page.get_by_label("An answer is required").check()
    page.get_by_role("button", name="Add the question").click()
    expect_flash(page, "Question added: “Hotel”.")
    assert_no_axe_violations(page)

    page.goto(live_server + "/events/ctwg-16/register")
    page.get_by_label("Given name").fill("Aroha")
    page.get_by_label("Family name").fill("Ngata")
    page.get_by_label("Email address").fill("aroha@example.org")
    page.get_by_role("group", name="Hotel").get_by_label("Hilton").check()
    page.get_by_role("group", name="I need a visa support letter").get_by_label("No").check()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Register", exact=True).click()
    expect_h1(page, "Your registration")
    expect(page.locator("section", has_text="Your answers")).to_contain_text(
        "Hilton", use_inner_text=True)
    assert_no_axe_violations(page)
    with seeded.app_context():
        hotel = db.session.scalar(select(Question).where(Question.label == "Hotel"))
        assert db.session.scalar(select(Answer.value).where(
            Answer.question_id == hotel.id)) == "Hilton"
