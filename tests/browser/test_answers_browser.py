"""Real Chromium: staff correct a registrant's answers by clicking from the registration's
page; follow-up questions appear and go without a page reload (and are announced), and
the form still works without JavaScript. Axe 0 violations at 1280 and 390 px."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import Answer, Event, Registration
from eventsapp.questions import services as questions
from eventsapp.registration.validation import clean_registration
from tests.auth.fixtures import make_user as make_user  # noqa: F401  (a fixture)
from tests.browser.axe_check import assert_no_axe_violations
from tests.browser.test_admin_browser import sign_in
from tests.browser.waits import expect_h1, set_deadline
from tests.support import move_to_future

FOLLOW_UPS = ["Nationality", "Passport number", "Passport expiry date", "Date of birth"]


def _visa_and_diet(app) -> dict:
    move_to_future(app, "ctwg-16")
    with app.app_context():
        ev = db.session.scalar(select(Event).where(Event.slug == "ctwg-16"))
        visa = [q.id for q in questions.add_preset(ev, "visa", user=None)]
        diet = questions.add_preset(ev, "dietary", user=None)[0].id
        return {"visa": visa, "diet": diet}


@pytest.mark.parametrize("width", [1280, 390])
def test_staff_edit_answers_from_the_registration_page(page, live_server, seeded, make_user,
                                                        width):
    page.set_viewport_size({"width": width, "height": 900})
    ids = _visa_and_diet(seeded)
    with seeded.app_context():
        ev = db.session.scalar(select(Event).where(Event.slug == "ctwg-16"))
        reg = questions.register(ev, clean_registration({
            "given_name": "Aroha", "family_name": "Ngata", "email": "aroha@example.org",
            "economy": "NZ"}), {ids["visa"][0]: "no", ids["diet"]: "Halal"},
            notify=False).registration
        reg_id = reg.id
    sign_in(page, live_server, make_user("admin"))
    page.goto(f"{live_server}/admin/events/ctwg-16/registrations/{reg_id}")
    page.get_by_role("link", name="Edit answers").click()
    expect_h1(page, "Answers of Aroha Ngata")
    # The registration's section of the event menu stays marked.
    expect(page.locator('nav.event-menu a[aria-current="true"]')).to_have_text(
        "Registrations")
    expect(page.get_by_label("Nationality")).to_be_hidden()
    assert_no_axe_violations(page)
    diet = page.get_by_role("group", name="Dietary needs")
    diet.get_by_label("Halal").uncheck()
    diet.get_by_label("Vegetarian").check()
    page.get_by_role("group", name="I need a visa support letter").get_by_label("Yes").check()
    page.get_by_label("Nationality").fill("New Zealander")
    page.get_by_role("button", name="Save the answers").click()
    # Required follow-ups now apply: refused with every message, nothing saved.
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Passport number: Answer this question.")
    assert_no_axe_violations(page)
    page.get_by_label("Passport number").fill("LA123456")
    page.get_by_label("Passport expiry date").fill("2100-01-31")
    page.get_by_label("Date of birth").fill("1980-05-06")
    page.get_by_role("button", name="Save the answers").click()
    expect(page.locator(".flashes")).to_have_text(re.compile(
        "Answers saved: “I need a visa support letter”, “Nationality”, “Passport number”, "
        "“Passport expiry date”, “Date of birth”, “Dietary needs”."))
    expect_h1(page, "Aroha Ngata")
    with seeded.app_context():
        stored = dict(db.session.execute(select(Answer.question_id, Answer.value).where(
            Answer.registration_id == reg_id)).all())
    assert stored == {ids["visa"][0]: "yes", ids["visa"][1]: "New Zealander",
                      ids["visa"][2]: "LA123456", ids["visa"][3]: "2100-01-31",
                      ids["visa"][4]: "1980-05-06", ids["diet"]: "Vegetarian"}


@pytest.mark.parametrize("width", [1280, 390])
def test_follow_up_questions_appear_at_once_and_are_announced(page, live_server, seeded,
                                                              width):
    page.set_viewport_size({"width": width, "height": 900})
    _visa_and_diet(seeded)
    page.goto(live_server + "/events/ctwg-16/register")
    for label in FOLLOW_UPS:
        expect(page.get_by_label(label)).to_be_hidden()
    visa = page.get_by_role("group", name="I need a visa support letter")
    visa.get_by_label("Yes").check()
    for label in FOLLOW_UPS:
        expect(page.get_by_label(label)).to_be_visible()
    status = page.get_by_role("status")
    expect(status).to_have_text("Questions appeared below: “Nationality”, “Passport number”, "
                                "“Passport expiry date”, “Date of birth”.")
    expect(status).to_have_attribute("aria-live", "polite")
    assert_no_axe_violations(page)
    visa.get_by_label("No").check()
    expect(page.get_by_label("Nationality")).to_be_hidden()
    expect(status).to_have_text("Questions no longer apply: “Nationality”, “Passport "
                                "number”, “Passport expiry date”, “Date of birth”.")
    assert_no_axe_violations(page)


def test_follow_up_questions_without_javascript_the_server_decides(browser, live_server,
                                                                   seeded):
    ids = _visa_and_diet(seeded)
    context = browser.new_context(java_script_enabled=False,
                                  viewport={"width": 390, "height": 900})
    set_deadline(context)
    page = context.new_page()
    try:
        page.goto(live_server + "/events/ctwg-16/register")
        for label in FOLLOW_UPS:
            expect(page.get_by_label(label)).to_be_visible()
        page.get_by_label("Given name").fill("Mele")
        page.get_by_label("Family name").fill("Tupou")
        page.get_by_label("Email address").fill("mele@example.org")
        page.get_by_role("group", name="I need a visa support letter").get_by_label(
            "No").check()
        page.get_by_label("Passport number").fill("typed anyway")
        page.get_by_role("button", name="Register", exact=True).click()
        expect_h1(page, "Your registration")
    finally:
        context.close()
    with seeded.app_context():
        reg_id = db.session.scalar(select(Registration.id).where(
            Registration.email == "mele@example.org"))
        stored = dict(db.session.execute(select(Answer.question_id, Answer.value).where(
            Answer.registration_id == reg_id)).all())
    assert stored == {ids["visa"][0]: "no"}
