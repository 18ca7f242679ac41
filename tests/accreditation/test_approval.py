"""Approval mode: pending holds no place; approving places in approval order; declining
tells the reason; focal points decide only for their economy (both databases)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from eventsapp.accreditation import services as accreditation
from eventsapp.extensions import db
from eventsapp.models import AuditEntry, Registration
from eventsapp.registration import services
from eventsapp.registration.validation import ValidationFailed

from .conftest import event, outbox, person, statuses, user


def pending(eid: int, n: int, economy: str = "SGP") -> list[Registration]:
    return [services.register(event(eid), person(email=f"p{i}@example.org", economy=economy))
            .registration for i in range(n)]


def test_public_registration_in_approval_mode_is_pending_and_holds_no_place(ctx, make_event):
    eid = make_event(capacity=1, registration_mode="approval")
    results = [services.register(event(eid), person(email=f"p{i}@example.org"))
               for i in range(3)]
    assert [(r.registration.status, r.position) for r in results] == [("pending", None)] * 3
    ev = event(eid)
    assert (ev.confirmed_count, ev.waitlisted_count) == (0, 0)
    assert [subject for _, subject in outbox()] == [
        "Registration received, awaiting approval: Test event 1"] * 3


def test_approvals_confirm_while_places_are_free_then_waitlist_in_approval_order(
        ctx, make_event, make_staff):
    eid = make_event(capacity=2, registration_mode="approval")
    regs = pending(eid, 4)
    organiser = user(make_staff("organiser"))
    decisions = [accreditation.approve(regs[i], user=organiser) for i in (3, 1, 0, 2)]
    assert [(d.registration.email, d.registration.status, d.position) for d in decisions] == [
        ("p3@example.org", "confirmed", None), ("p1@example.org", "confirmed", None),
        ("p0@example.org", "waitlisted", 1), ("p2@example.org", "waitlisted", 2)]
    # A cancellation promotes the first approved of those waiting, not the first registered.
    services.cancel_registration(db.session.get(Registration, regs[3].id))
    assert statuses(eid) == [("p0@example.org", "confirmed"), ("p1@example.org", "confirmed"),
                             ("p2@example.org", "waitlisted"), ("p3@example.org", "cancelled")]
    assert [subject for to, subject in outbox() if to == "p0@example.org"] == [
        "Registration received, awaiting approval: Test event 1",
        "Registration approved: on the waiting list: Test event 1",
        "A place is yours: Test event 1"]


def test_a_second_approval_of_the_same_registration_is_refused_and_changes_nothing(
        ctx, make_event, make_staff):
    eid = make_event(capacity=5, registration_mode="approval")
    [reg] = pending(eid, 1)
    organiser = user(make_staff("organiser"))
    accreditation.approve(reg, user=organiser)
    with pytest.raises(services.NotPending) as exc:
        accreditation.approve(reg, user=organiser)
    assert str(exc.value) == f"{reg.full_name} was approved already and is confirmed; nothing " \
                             "changed."
    assert event(eid).confirmed_count == 1
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.action == "approved")) == "approved"


def test_approving_a_registration_cancelled_meanwhile_is_refused(ctx, make_event, make_staff):
    eid = make_event(registration_mode="approval")
    [reg] = pending(eid, 1)
    stale = db.session.get(Registration, reg.id)
    services.cancel_registration(reg)
    with pytest.raises(services.NotPending) as exc:
        accreditation.approve(stale, user=user(make_staff("organiser")))
    assert str(exc.value) == (f"{reg.full_name}'s registration was cancelled meanwhile, so it "
                              "cannot be approved; nothing changed.")
    assert statuses(eid) == [("p0@example.org", "cancelled")]


def test_approval_past_capacity_without_waiting_list_is_refused_and_stays_pending(
        ctx, make_event, make_staff):
    eid = make_event(capacity=1, waitlist_enabled=False, registration_mode="approval")
    regs = pending(eid, 2)
    organiser = user(make_staff("organiser"))
    accreditation.approve(regs[0], user=organiser)
    with pytest.raises(services.EventFull):
        accreditation.approve(regs[1], user=organiser)
    assert statuses(eid) == [("p0@example.org", "confirmed"), ("p1@example.org", "pending")]


def test_decline_needs_a_reason_which_is_emailed(ctx, make_event, make_staff):
    eid = make_event(registration_mode="approval")
    [reg] = pending(eid, 1)
    organiser = user(make_staff("organiser"))
    with pytest.raises(services.RegistrationError) as exc:
        accreditation.decline(reg, user=organiser, reason="  ")
    assert str(exc.value) == "Give the reason for declining: it is emailed to the person."
    accreditation.decline(reg, user=organiser, reason="Nominations closed on 1 July.")
    stored = db.session.get(Registration, reg.id)
    assert (stored.status, stored.decline_reason) == ("declined", "Nominations closed on 1 July.")
    [(to, subject, body)] = [(m.to_addr, m.subject, m.body) for m in _messages()][-1:]
    assert (to, subject) == ("p0@example.org", "Registration declined: Test event 1")
    assert "Reason: Nominations closed on 1 July." in body


def test_a_declined_address_may_register_again(ctx, make_event, make_staff):
    eid = make_event(registration_mode="approval")
    [reg] = pending(eid, 1)
    accreditation.decline(reg, user=user(make_staff("organiser")), reason="Wrong economy.")
    again = services.register(event(eid), person(email="p0@example.org", economy="MAS"))
    assert again.registration.status == "pending"


def test_focal_point_decides_only_for_their_own_economy(ctx, make_event, make_staff):
    eid = make_event(capacity=5, registration_mode="approval")
    [sgp] = pending(eid, 1, economy="SGP")
    mas = services.register(event(eid), person(email="m@example.org", economy="MAS")).registration
    focal = user(make_staff("focal_point", economy="SGP"))
    assert accreditation.approve(sgp, user=focal).registration.status == "confirmed"
    with pytest.raises(services.NotAllowed):
        accreditation.approve(mas, user=focal)
    with pytest.raises(services.NotAllowed):
        accreditation.decline(mas, user=focal, reason="Not ours")
    assert [r.email for r in accreditation.awaiting_decision(event(eid), "SGP")] == []
    assert [r.email for r in accreditation.awaiting_decision(event(eid), None)] == [
        "m@example.org"]


def test_focal_point_limited_to_other_events_cannot_decide_here(ctx, make_event, make_staff):
    eid = make_event(registration_mode="approval")
    other = make_event()
    [reg] = pending(eid, 1)
    focal = user(make_staff("focal_point", economy="SGP", events=(other,)))
    with pytest.raises(services.NotAllowed):
        accreditation.approve(reg, user=focal)


def test_two_step_focal_point_nominates_and_the_secretariat_accredits(
        ctx, make_event, make_staff):
    eid = make_event(capacity=5, registration_mode="approval", approval_steps=2)
    [reg] = pending(eid, 1)
    focal = user(make_staff("focal_point", economy="SGP"))
    nominated = accreditation.approve(reg, user=focal).registration
    assert (nominated.status, nominated.nominated_by_id) == ("pending", focal.id)
    with pytest.raises(services.NotPending):
        accreditation.approve(reg, user=focal)
    accredited = accreditation.approve(reg, user=user(make_staff("organiser"))).registration
    assert (accredited.status, accredited.nominated_at is not None) == ("confirmed", True)


def test_public_may_not_choose_an_assigned_category(ctx, make_event):
    eid = make_event()
    for category in ("head_of_delegation", "speaker", "media", "secretariat"):
        with pytest.raises(ValidationFailed) as exc:
            services.register(event(eid), person(category=category))
        assert list(exc.value.errors) == ["category"]
    assert services.register(event(eid), person(category="observer")).registration.status == \
        "confirmed"


def test_organisers_choose_which_categories_the_public_may_choose(ctx, make_event):
    eid = make_event(public_categories=["delegate", "observer", "media"])
    assert services.register(event(eid), person(category="media")).registration.category == \
        "media"


def test_invitation_mode_refuses_the_public_form(ctx, make_event):
    eid = make_event(registration_mode="invitation")
    with pytest.raises(services.RegistrationClosed) as exc:
        services.register(event(eid), person())
    assert str(exc.value).startswith("Registration for this event is by invitation only")


def _messages():
    from eventsapp.models import OutboxMessage

    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
