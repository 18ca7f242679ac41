"""`seed --demo`: fictional registrations across economies, scripts and statuses; idempotent."""

from collections import Counter

from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import Event, Registration
from eventsapp.reference import ECONOMIES


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
            select(Event.slug, Registration.status).join(Registration.event)).all()
        assert Counter(rows) == {
            ("ctwg-15", "confirmed"): 39, ("ctwg-15", "cancelled"): 3,
            ("aviation-soft-target-workshop", "confirmed"): 50,
            ("aviation-soft-target-workshop", "waitlisted"): 4,
            ("aviation-soft-target-workshop", "cancelled"): 2,
            ("star-xi", "confirmed"): 17,
            ("ctwg-16", "confirmed"): 9, ("ctwg-16", "pending"): 6, ("ctwg-16", "declined"): 1,
        }
        regs = db.session.scalars(select(Registration)).all()
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
