"""Participation rules on the real service layer and both databases: per-mode places and
waiting lists, switching, the event's mode, and who gets badges and the door."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from eventsapp.accreditation import services as accreditation
from eventsapp.admin.export import registrations_csv
from eventsapp.badges import services as badges
from eventsapp.checkin import services as checkin
from eventsapp.events.editing import EventError
from eventsapp.extensions import db
from eventsapp.models import AuditEntry, Registration
from eventsapp.participation import services as participation
from eventsapp.registration import services
from eventsapp.registration.validation import ValidationFailed, clean_registration

from .conftest import event, person, user


def _modes(eid: int) -> list[tuple[str, str, str]]:
    db.session.rollback()
    return [(r.email.split("@")[0], r.participation, r.status) for r in db.session.scalars(
        select(Registration).where(Registration.event_id == eid).order_by(Registration.id))]


def test_each_mode_of_a_hybrid_event_has_its_own_places_and_waiting_list(ctx, make_hybrid):
    eid = make_hybrid(in_person=1, online=2)
    done = [services.register(event(eid), person(email=f"{n}@example.org", participation=m))
            for n, m in (("a", "in_person"), ("b", "in_person"), ("c", "online"),
                         ("d", "online"), ("e", "online"), ("f", "in_person"))]
    assert [(d.registration.status, d.position) for d in done] == [
        ("confirmed", None), ("waitlisted", 1), ("confirmed", None), ("confirmed", None),
        ("waitlisted", 1), ("waitlisted", 2)]
    # One numbering for the event; positions count within each mode's list.
    assert [d.registration.waitlist_seq for d in done] == [None, 1, None, None, 2, 3]
    assert services.waitlist_positions(event(eid)) == {
        done[1].registration.id: 1, done[4].registration.id: 1, done[5].registration.id: 2}
    assert services.waitlist_position(done[5].registration) == 2
    ev = event(eid)
    assert (ev.confirmed_count, ev.waitlisted_count) == (3, 3)


def test_a_freed_online_place_goes_to_the_head_of_the_online_list(ctx, make_hybrid):
    eid = make_hybrid(in_person=1, online=1)
    regs = {n: services.register(event(eid), person(email=f"{n}@example.org", participation=m))
            for n, m in (("in1", "in_person"), ("on1", "online"), ("in2", "in_person"),
                         ("on2", "online"))}
    promoted = services.cancel_registration(regs["on1"].registration)
    assert [r.email for r in promoted] == ["on2@example.org"]
    assert _modes(eid) == [("in1", "in_person", "confirmed"), ("on1", "online", "cancelled"),
                           ("in2", "in_person", "waitlisted"), ("on2", "online", "confirmed")]


def test_the_public_must_choose_a_mode_in_a_hybrid_event(ctx, make_hybrid):
    eid = make_hybrid()
    with pytest.raises(ValidationFailed) as exc:
        services.register(event(eid), person())
    assert list(exc.value.errors) == ["participation"]
    assert _modes(eid) == []


def test_staff_registering_for_an_economy_default_to_in_person_or_take_the_mode_given(
        ctx, make_hybrid, make_staff):
    eid = make_hybrid(in_person=1, online=1)
    staff = make_staff("organiser")
    accreditation.register_for_economy(event(eid), person(email="s1@example.org"),
                                       user=user(staff))
    accreditation.register_for_economy(event(eid), person(email="s2@example.org",
                                                          participation="online"),
                                       user=user(staff))
    accreditation.register_for_economy(event(eid), person(email="s3@example.org",
                                                          participation="online"),
                                       user=user(staff))
    assert _modes(eid) == [("s1", "in_person", "confirmed"), ("s2", "online", "confirmed"),
                           ("s3", "online", "waitlisted")]


def test_a_single_mode_event_fixes_the_mode_and_refuses_the_other(ctx, make_event):
    eid = make_event(participation_mode="online", capacity=1)
    in_person = make_event(capacity=1)
    services.register(event(eid), person(email="x@example.org"))
    with pytest.raises(ValidationFailed) as exc:
        services.register(event(eid), person(participation="in_person"))
    assert exc.value.errors == {"participation": [
        "This event takes place online only: leave the choice out or choose online."]}
    assert _modes(eid) == [("x", "online", "confirmed")]
    services.register(event(in_person), person(email="y@example.org"))
    assert _modes(in_person) == [("y", "in_person", "confirmed")]


def test_approval_places_the_registration_in_its_own_mode(ctx, make_hybrid, make_staff):
    eid = make_hybrid(in_person=5, online=1, registration_mode="approval")
    staff = make_staff("organiser")
    a = services.register(event(eid), person(email="a@example.org", participation="online"))
    b = services.register(event(eid), person(email="b@example.org", participation="online"))
    c = services.register(event(eid), person(email="c@example.org", participation="in_person"))
    for r in (a, b, c):
        accreditation.approve(r.registration, user=user(staff))
    assert _modes(eid) == [("a", "online", "confirmed"), ("b", "online", "waitlisted"),
                           ("c", "in_person", "confirmed")]


def test_a_substitute_keeps_the_mode_of_the_place(ctx, make_hybrid, make_staff):
    eid = make_hybrid(in_person=1, online=1)
    staff = make_staff("organiser")
    old = services.register(event(eid), person(email="old@example.org", participation="online"))
    accreditation.substitute(old.registration, person(email="new@example.org",
                                                      participation="in_person"),
                             user=user(staff))
    assert _modes(eid) == [("old", "online", "cancelled"), ("new", "online", "confirmed")]


def test_switching_into_a_full_mode_keeps_the_place_with_a_clear_message(ctx, make_hybrid):
    eid = make_hybrid(in_person=1, online=1)
    services.register(event(eid), person(email="on@example.org", participation="online"))
    me = services.register(event(eid), person(email="me@example.org", participation="in_person"))
    with pytest.raises(services.ParticipationFull) as exc:
        participation.switch(me.registration, "online")
    assert str(exc.value) == ("There is no free place to take part online: all 1 are taken. "
                              "You keep your place to take part in person; nothing changed.")
    assert _modes(eid) == [("on", "online", "confirmed"), ("me", "in_person", "confirmed")]


def test_a_switch_frees_the_old_place_for_the_head_of_its_waiting_list(ctx, make_hybrid):
    eid = make_hybrid(in_person=1, online=2)
    me = services.register(event(eid), person(email="me@example.org", participation="in_person"))
    services.register(event(eid), person(email="wait@example.org", participation="in_person"))
    done = participation.switch(me.registration, "online")
    assert [r.email for r in done.promoted] == ["wait@example.org"]
    assert _modes(eid) == [("me", "online", "confirmed"), ("wait", "in_person", "confirmed")]
    db.session.rollback()
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-2:] == ["participation_switched", "promoted"]


def test_someone_waiting_switches_only_into_a_free_place_and_is_confirmed(ctx, make_hybrid):
    eid = make_hybrid(in_person=1, online=1)
    services.register(event(eid), person(email="a@example.org", participation="in_person"))
    waiting = services.register(event(eid), person(email="w@example.org",
                                                   participation="in_person"))
    participation.switch(waiting.registration, "online")
    assert _modes(eid) == [("a", "in_person", "confirmed"), ("w", "online", "confirmed")]


def test_switching_is_refused_outside_a_hybrid_event(ctx, make_event):
    eid = make_event()
    me = services.register(event(eid), person())
    with pytest.raises(services.CapacityError):
        participation.switch(me.registration, "online")


def test_into_hybrid_each_cap_must_hold_those_confirmed_and_capacity_is_the_sum(
        ctx, make_event):
    eid = make_event(capacity=5)
    for i in range(3):
        services.register(event(eid), person(email=f"p{i}@example.org"))
    with pytest.raises(services.CapacityError) as exc:
        participation.update_participation(event(eid), participation.ParticipationSettings(
            "hybrid", 2, 10), user=None)
    assert str(exc.value).startswith("3 people are confirmed in person, so the in person "
                                     "capacity cannot be lower than 3.")
    participation.update_participation(event(eid), participation.ParticipationSettings(
        "hybrid", 3, 10, "https://meet.example.net/x"), user=None)
    ev = event(eid)
    assert (ev.participation_mode, ev.capacity, ev.capacity_in_person, ev.capacity_online) == (
        "hybrid", 13, 3, 10)
    with pytest.raises(services.CapacityError):
        services.change_capacity(ev, 20, user=None)


def test_raising_a_mode_cap_promotes_that_modes_list(ctx, make_hybrid):
    eid = make_hybrid(in_person=1, online=1)
    for n, m in (("a", "online"), ("b", "online"), ("c", "in_person"), ("d", "in_person")):
        services.register(event(eid), person(email=f"{n}@example.org", participation=m))
    changed, promoted = participation.update_participation(
        event(eid), participation.ParticipationSettings("hybrid", 1, 2, event(eid).online_url,
                                                        "Passcode 4417"), user=None)
    assert changed == ["capacity_online"]
    assert [r.email for r in promoted] == ["b@example.org"]
    assert event(eid).capacity == 3


def test_out_of_hybrid_only_once_nobody_takes_part_the_other_way(ctx, make_hybrid):
    """Nobody's choice changes silently: someone online must be moved (or cancelled)
    first; then the event's one mode holds for everyone and the capacity stays the sum."""
    eid = make_hybrid(in_person=2, online=2)
    regs = [services.register(event(eid), person(email=f"{n}@example.org", participation=m))
            .registration for n, m in (("a", "online"), ("b", "in_person"))]
    with pytest.raises(EventError):
        participation.update_participation(event(eid), participation.ParticipationSettings(
            "in_person"), user=None)
    participation.switch(regs[0], "in_person", user=None)
    participation.update_participation(event(eid), participation.ParticipationSettings(
        "in_person"), user=None)
    assert _modes(eid) == [("a", "in_person", "confirmed"), ("b", "in_person", "confirmed")]
    assert event(eid).capacity == 4


@pytest.mark.parametrize("field, value, message", [
    ("participation_mode", "both", "Choose in_person, online or hybrid."),
    ("capacity_online", -1, "A whole number from 0 to 100,000, or no limit."),
    ("capacity_in_person", True, "A whole number from 0 to 100,000, or no limit."),
    ("online_url", "javascript:alert(1)", "Give the full meeting link, starting with https://."),
    ("online_url", "https://x.example/" + "a" * 500, "Keep the link under 500 characters."),
    ("online_details", "a\x1bb", None),
])
def test_bad_participation_settings_are_refused_per_field(ctx, make_hybrid, field, value,
                                                          message):
    eid = make_hybrid()
    settings = participation.ParticipationSettings.of(event(eid))
    setattr(settings, field, value)
    with pytest.raises(EventError) as exc:
        participation.update_participation(event(eid), settings, user=None)
    assert list(exc.value.errors) == [field]
    if message:
        assert exc.value.errors[field] == [message]


def test_badges_and_the_door_are_for_in_person_participants_only(ctx, make_hybrid):
    eid = make_hybrid()
    here = services.register(event(eid), person(email="here@example.org",
                                                participation="in_person"))
    away = services.register(event(eid), person(email="away@example.org",
                                                participation="online"))
    assert [r.email for r in badges.badge_registrations(event(eid))] == ["here@example.org"]
    with pytest.raises(badges.BadgeError):
        badges.check_printable(away.registration)
    verdict = checkin.admission(away.registration)
    assert (verdict.admitted, verdict.reason) == (False, "takes part online")
    assert checkin.admission(here.registration).admitted


def test_clean_registration_reads_participation(ctx):
    raw = {"given_name": "A", "family_name": "B", "email": "a@example.org"}
    assert clean_registration(raw).participation is None
    assert clean_registration({**raw, "participation": "online"}).participation == "online"
    with pytest.raises(ValidationFailed) as exc:
        clean_registration({**raw, "participation": "remote"})
    assert exc.value.errors == {"participation": ["Choose how you take part: in_person or "
                                                  "online."]}


def test_the_registrations_csv_says_how_each_person_takes_part(ctx, make_hybrid):
    eid = make_hybrid()
    regs = [services.register(event(eid), person(email=f"{m}@example.org", participation=m),
                              notify=False).registration for m in ("online", "in_person")]
    lines = registrations_csv(regs, {}, "UTC").decode("utf-8-sig").splitlines()
    header = lines[0].split(",")
    column = header.index("Taking part")
    assert [line.split(",")[column] for line in lines[1:]] == ["Online", "In person"]


@pytest.mark.parametrize("status,mode,hint", [
    ("confirmed", "in_person", "Only while places online are free; your place in person then "
                               "goes to the next person waiting for one."),
    ("waitlisted", "in_person", "Only while places online are free: you are then confirmed to "
                                "take part online and leave the waiting list in person."),
    ("pending", "online", "Your registration holds no place yet; it is then decided for "
                          "taking part in person."),
])
def test_the_switch_hint_speaks_to_the_registrations_status(status, mode, hint):
    # A waitlisted person was told their place would go to someone: they have none.
    assert participation.switch_hint(Registration(status=status, participation=mode)) == hint
