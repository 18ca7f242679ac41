"""`seed --demo`: fictional registrations across economies, scripts and statuses; idempotent."""

from collections import Counter

from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import Event, Registration
from eventsapp.reference import ECONOMIES
from eventsapp.seed.demo import DEMO_EVENT_SLUG


def test_seed_demo_adds_fictional_registrations_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "--demo"])
    assert first.exit_code == 0, first.output
    assert "Added 115 fictional demo registrations." in first.output.splitlines()
    again = runner.invoke(args=["seed", "--demo"])
    assert "The demo registrations are already there; nothing changed." in (
        again.output.splitlines())
    with app.app_context():
        rows = db.session.execute(
            select(Event.slug, Registration.status).join(Registration.event)
            .where(Event.slug != DEMO_EVENT_SLUG)).all()
        assert Counter(rows) == {
            ("ctwg-15", "confirmed"): 39, ("ctwg-15", "cancelled"): 3,
            ("aviation-soft-target-workshop", "confirmed"): 50,
            ("aviation-soft-target-workshop", "waitlisted"): 4,
            ("aviation-soft-target-workshop", "cancelled"): 2,
            ("star-xi", "confirmed"): 17,
            ("ctwg-16", "confirmed"): 9, ("ctwg-16", "pending"): 6, ("ctwg-16", "declined"): 1,
        }
        regs = db.session.scalars(select(Registration).join(Registration.event)
                                  .where(Event.slug != DEMO_EVENT_SLUG)).all()
        assert {r.email.rsplit("@", 1)[1] for r in regs} == {"demo.example"}
        assert {r.note for r in regs} == {"Fictional demo registration (seed --demo)."}
        # Every economy, and an invited observer of an international organisation.
        assert {r.economy for r in regs} == set(ECONOMIES) | {None}
        names = {r.native_name for r in regs}
        assert {"佐藤 花子", "김민준", "สมชาย ใจดี", "Nguyễn Thị Minh Khai", "Иван Петров",
                "张伟"} <= names
        assert {r.category for r in regs} == {"delegate", "head_of_delegation", "speaker",
                                              "observer", "secretariat", "media"}
        heads = [r for r in regs if r.category == "head_of_delegation"]
        assert sorted(r.economy for r in heads) == ["AUS", "JPN", "JPN", "SGP", "THA", "THA"]


def test_seed_demo_adds_an_upcoming_fictional_event_open_for_registration(app):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from eventsapp.events.services import registration_open
    from eventsapp.reports.yearly import work_plan_for_year, year_report

    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "--demo"])
    assert ("Added the fictional upcoming event demo-practice-workshop with 34 registrations "
            "(its dates follow today).") in first.output.splitlines()
    again = runner.invoke(args=["seed", "--demo"])
    assert "The demo event demo-practice-workshop is already there; nothing changed." in (
        again.output.splitlines())
    today = datetime.now(ZoneInfo("Asia/Singapore")).date()
    with app.app_context():
        ev = db.session.scalar(select(Event).where(Event.slug == DEMO_EVENT_SLUG))
        assert "fictional" in ev.title
        assert ev.start_date == today + timedelta(days=21)
        assert ev.end_date == ev.start_date + timedelta(days=1)
        assert registration_open(ev)
        assert ev.work_plan_id is None
        assert [i.title for i in ev.published_items][:2] == [
            "Arrival and badge collection", "Opening plenary: why practise at all?"]
        assert len(ev.published_items) == 10
        statuses = Counter(db.session.scalars(select(Registration.status).where(
            Registration.event_id == ev.id)))
        assert statuses == {"confirmed": 30, "waitlisted": 2, "cancelled": 2}
        emails = set(db.session.scalars(select(Registration.email).where(
            Registration.event_id == ev.id)))
        assert {e.rsplit("@", 1)[1] for e in emails} == {"practice.demo.example"}
        report = year_report(work_plan_for_year(2020))
        assert DEMO_EVENT_SLUG not in {e.slug for e in report.events}
    index = app.test_client().get("/").text
    upcoming = index.split('id="upcoming-h"')[1].split("</section>")[0]
    assert "Practice Workshop on Event Security (fictional demo)" in upcoming
    page = app.test_client().get(f"/events/{DEMO_EVENT_SLUG}/register")
    assert page.status_code == 200


def test_seed_demo_runs_ctwg_16_the_apec_way_with_accounts_that_sign_in(app):
    from eventsapp.auth.services import authenticate
    from eventsapp.models import Invitation
    from eventsapp.seed.demo import DEMO_PASSWORD

    runner = app.test_cli_runner()
    lines = runner.invoke(args=["seed", "--demo"]).output.splitlines()
    assert f"Demo accounts (password {DEMO_PASSWORD}; sign in at /login; for trying only):" \
        in lines
    assert "  focal.aus@demo.example  focal point of Australia" in lines
    head_path = next(line.split(": ", 1)[1] for line in lines if line.startswith("  AUS: "))
    invitation = next(line.split(": ", 1)[1] for line in lines
                      if line.startswith("  observer.icao@demo.example: "))
    assert runner.invoke(args=["seed", "--demo"]).output.splitlines()[-1] == (
        "CTWG 16's accreditation demo is already there; nothing changed.")
    with app.app_context():
        ev = db.session.scalar(select(Event).where(Event.slug == "ctwg-16"))
        assert (ev.registration_mode, ev.category_limits, ev.per_economy_limit) == (
            "approval", {"observer": 10, "media": 5}, 4)
        focal = authenticate("focal.aus@demo.example", DEMO_PASSWORD)
        assert (focal.role, focal.economy) == ("focal_point", "AUS")
        assert sorted(db.session.scalars(select(Invitation.status))) == [
            "declined", "invited", "registered"]
    client = app.test_client()
    page = client.get(head_path).get_data(as_text=True)
    assert "Delegation of Australia" in page and "H.E. Ms Olivia Hartley" in page
    assert client.get(invitation).status_code == 200
