"""Real Chromium at the door and at the badge table: a cancelled person refused with no
button, a check-in undone, a badge scanned by a (fake) camera, badges previewed without
being marked printed; axe at 1280 and 390 px; screenshots under the test's directory."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import CheckIn, Event, Registration
from tests.browser.axe_check import assert_no_axe_violations
from tests.browser.waits import set_deadline
from tests.checkin.factories import make_registration
from tests.support import CHROMIUM

PASSWORD = "correct horse battery staple"
WIDTHS = [1280, 390]
SHOTS = Path(__file__).resolve().parent / "screenshots"



def shot(page, name: str) -> None:
    """Screenshots for a person to look at (kept out of git)."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, live_server, app, email: str, role: str, events=()):
    from eventsapp.auth.services import create_user

    with app.app_context():
        evs = [db.session.scalar(select(Event).where(Event.slug == s)) for s in events]
        create_user(email, PASSWORD, role, events=evs)
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def wait_for_flash_to_end(page):
    # The full-screen colour flash is a 0.9 s animation; axe reads colours once it is over.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.checkin-flash')]"
        ".every(el => getComputedStyle(el).visibility === 'hidden'"
        " || getComputedStyle(el).display === 'none')")


@pytest.fixture
def ctwg15(seeded) -> int:
    with seeded.app_context():
        return db.session.scalar(select(Event.id).where(Event.slug == "ctwg-15"))


def checkin_rows(app, reg_id: int) -> int:
    with app.app_context():
        return len(db.session.scalars(
            select(CheckIn).where(CheckIn.registration_id == reg_id)).all())


@pytest.mark.parametrize("width", WIDTHS)
def test_desk_refuses_a_cancelled_person_with_no_button_and_undoes_a_check_in(
        page, live_server, seeded, ctwg15, width):
    ok_id, _, code = make_registration(seeded, ctwg15, "Olivia", "Hartley", economy="NZ")
    gone_id, _, gone_code = make_registration(seeded, ctwg15, "Oscar", "Hartley",
                                              status="cancelled", economy="AUS")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, seeded, f"door{width}@example.org", "checkin")
    page.goto(live_server + "/admin/events/ctwg-15/checkin")
    field = page.get_by_label("Badge code or name")

    # A name search: Olivia can be checked in, Oscar is refused in red, with no button.
    field.fill("hartley")
    with page.expect_navigation():
        field.press("Enter")
    oscar = page.locator(".checkin-matches li", has_text="Oscar Hartley")
    expect(oscar.locator(".match-refused")).to_have_text(
        "✕ Not admitted: registration cancelled", use_inner_text=True)
    expect(oscar.get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("button", name="Check in Olivia Hartley")).to_have_count(1)
    page.wait_for_load_state("load")  # laid out with its stylesheet
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_no_axe_violations(page)
    shot(page, f"desk-name-results-{width}")

    # His badge scanned: a red "Not admitted" with the reason, and nothing to press.
    page.get_by_label("Badge code or name").fill(gone_code)
    with page.expect_navigation():
        page.get_by_label("Badge code or name").press("Enter")
    result = page.locator("#result")
    expect(result.locator(".checkin-verdict")).to_have_text(re.compile(r"Not admitted$"),
                                                            use_inner_text=True)
    expect(page.locator("#result-heading")).to_have_text(
        "Not admitted: the registration of Oscar Hartley was cancelled. "
        "Send them to the registration desk.", use_inner_text=True)
    expect(result.get_by_role("button")).to_have_count(0)
    expect(result.locator(".checkin-banner")).to_have_css("background-color",
                                                          "rgb(185, 28, 28)")
    # The band spans the window's width (its shadow), but the page does not scroll sideways.
    page.wait_for_load_state("load")  # laid out with its stylesheet
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    wait_for_flash_to_end(page)
    assert_no_axe_violations(page)
    shot(page, f"desk-not-admitted-{width}")
    assert checkin_rows(seeded, gone_id) == 0

    # Olivia checked in by clicking, then the check-in undone.
    page.get_by_label("Badge code or name").fill("olivia")
    with page.expect_navigation():
        page.get_by_label("Badge code or name").press("Enter")
    with page.expect_navigation():
        page.get_by_role("button", name="Check in Olivia Hartley").click()
    expect(page.locator("#result .checkin-verdict")).to_have_text(re.compile(r"Admitted$"),
                                                                  use_inner_text=True)
    expect(page.locator("#result-heading")).to_have_text(
        "Olivia Hartley is checked in for 10 February 2020.", use_inner_text=True)
    expect(page.locator("#code")).to_be_focused()
    page.wait_for_load_state("load")  # laid out with its stylesheet
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert checkin_rows(seeded, ok_id) == 1
    wait_for_flash_to_end(page)
    assert_no_axe_violations(page)
    shot(page, f"desk-admitted-{width}")

    with page.expect_navigation():
        page.get_by_role("button", name="Undo this check-in of Olivia Hartley").click()
    expect(page.locator("#result-heading")).to_have_text(
        "Check-in undone: Olivia Hartley is not checked in for 10 February 2020.",
        use_inner_text=True)
    assert checkin_rows(seeded, ok_id) == 0
    assert_no_axe_violations(page)
    shot(page, f"desk-undone-{width}")

    # Scanned twice: amber "already", and nothing to undo.
    for _ in range(2):
        page.get_by_label("Badge code or name").fill(code)
        with page.expect_navigation():
            page.get_by_label("Badge code or name").press("Enter")
    expect(page.locator("#result .checkin-verdict")).to_have_text(
        re.compile(r"Already checked in$"), use_inner_text=True)
    expect(page.get_by_role("button", name="Undo this check-in of Olivia Hartley")
           ).to_have_count(0)
    wait_for_flash_to_end(page)
    assert_no_axe_violations(page)
    shot(page, f"desk-already-{width}")


def _fake_camera_file(path: Path, payload: str) -> Path:
    """A Y4M video (4:2:0) whose every frame shows the QR code of a badge, for Chromium's
    --use-file-for-fake-video-capture."""
    import segno
    from PIL import Image

    width, height, frames = 640, 480, 10
    qr = segno.make(payload, error="m", micro=False)
    buf = path.with_suffix(".png")
    qr.save(str(buf), scale=9, border=4)
    with Image.open(buf) as code:
        canvas = Image.new("RGB", (width, height), (235, 235, 230))
        code = code.convert("RGB")
        canvas.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    y, cb, cr = canvas.convert("YCbCr").split()
    half = (width // 2, height // 2)
    frame = (b"FRAME\n" + y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes())
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * frames)
    return path


@pytest.mark.parametrize("width", WIDTHS)
def test_camera_scan_of_a_badge_checks_the_person_in(playwright, live_server, seeded, ctwg15,
                                                     tmp_path, width):
    reg_id, _, code = make_registration(seeded, ctwg15, "Guadalupe", "Fernández",
                                        economy="MEX")
    video = _fake_camera_file(tmp_path / "badge.y4m", code)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
        "--no-sandbox", "--disable-gpu", "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"])
    try:
        context = browser.new_context(viewport={"width": width, "height": 900})
        set_deadline(context)
        page = context.new_page()
        sign_in(page, live_server, seeded, f"camera{width}@example.org", "checkin",
                events=("ctwg-15",))
        page.goto(live_server + "/admin/events/ctwg-15/checkin")
        toggle = page.get_by_role("button", name="Scan with the camera")
        expect(toggle).to_be_visible()
        assert_no_axe_violations(page)

        with page.expect_navigation():
            toggle.click()  # the camera opens, reads the QR code and submits the form

        expect(page.locator("#result-heading")).to_have_text(
            "Guadalupe Fernández is checked in for 10 February 2020.", use_inner_text=True)
        assert checkin_rows(seeded, reg_id) == 1
        # The camera starts again for the next person; the same badge, still in front of
        # it, is not sent a second time at once.
        expect(page.locator("#scanner-status")).to_have_text(re.compile(r"^Camera on"))
        expect(page.get_by_role("button", name="Stop the camera")).to_be_visible()
        wait_for_flash_to_end(page)
        assert_no_axe_violations(page)
        shot(page, f"desk-camera-{width}")
        page.get_by_role("button", name="Stop the camera").click()
        expect(page.locator("#scanner")).to_be_hidden()
        assert checkin_rows(seeded, reg_id) == 1
    finally:
        browser.close()


def test_desk_without_javascript_has_no_camera_button_and_still_checks_in(browser, live_server,
                                                                          seeded, ctwg15):
    reg_id, _, code = make_registration(seeded, ctwg15, "Ana", "Li")
    context = browser.new_context(java_script_enabled=False)
    set_deadline(context)
    page = context.new_page()
    try:
        sign_in(page, live_server, seeded, "nojs@example.org", "checkin")
        page.goto(live_server + "/admin/events/ctwg-15/checkin")
        expect(page.get_by_role("button", name="Scan with the camera")).to_have_count(0)
        page.get_by_label("Badge code or name").fill(code)
        page.get_by_role("button", name="Check in or search").click()
        expect(page.locator("#result-heading")).to_have_text(
            "Ana Li is checked in for 10 February 2020.", use_inner_text=True)
        assert checkin_rows(seeded, reg_id) == 1
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_badge_preview_does_not_mark_anyone_printed(page, live_server, seeded, ctwg15, width):
    for given, family, economy in [("Guadalupe", "Fernández", "MEX"), ("Ana", "Li", "PRC"),
                                   ("Olivia", "Hartley", "NZ")]:
        make_registration(seeded, ctwg15, given, family, economy=economy)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, seeded, f"badges{width}@example.org", "organiser")
    page.goto(live_server + "/admin/events/ctwg-15/badges")
    assert_no_axe_violations(page)
    shot(page, f"badges-{width}")

    page.get_by_label("Only badges not printed yet").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Show these badges").click()
    expect(page.locator("#selection")).to_have_text(re.compile(r"^3 badges on 1 sheet"),
                                                    use_inner_text=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Preview the PDF of 3 badges").click()
    assert download.value.suggested_filename == "badges-ctwg-15-all-a6x4.pdf"
    with seeded.app_context():
        printed = db.session.scalars(select(Registration.badge_printed_at)).all()
    assert printed == [None, None, None]  # a trial download marks nobody

    with page.expect_navigation():
        page.get_by_role("button", name="Mark these 3 as printed").click()
    expect(page.get_by_text("Marked 3 badges as printed.")).to_be_visible()
    expect(page.locator("#selection")).to_have_text(
        re.compile(r"^No confirmed registration matches these choices"), use_inner_text=True)
    with seeded.app_context():
        printed = db.session.scalars(select(Registration.badge_printed_at)).all()
    assert None not in printed
    assert_no_axe_violations(page)
    shot(page, f"badges-marked-{width}")
