"""`seed --demo`: fictional registrations across economies, scripts and statuses; idempotent."""

from collections import Counter

from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import Event, Registration


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
        }
        regs = db.session.scalars(select(Registration)).all()
        assert {r.email.rsplit("@", 1)[1] for r in regs} == {"demo.example"}
        assert {r.note for r in regs} == {"Fictional demo registration (seed --demo)."}
        assert len({r.economy for r in regs}) == 21
        names = {r.native_name for r in regs}
        assert {"佐藤 花子", "김민준", "สมชาย ใจดี", "Nguyễn Thị Minh Khai", "Иван Петров",
                "张伟"} <= names
        assert {r.category for r in regs} == {"delegate", "head_of_delegation", "speaker",
                                              "observer", "secretariat", "media"}
        heads = [r for r in regs if r.category == "head_of_delegation"]
        assert sorted(r.economy for r in heads) == ["JPN", "THA"]
