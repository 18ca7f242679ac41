"""The registration rules, on the real service layer and a real database (SQLite and PostgreSQL)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select

from eventsapp.extensions import db
from eventsapp.models import AuditEntry, Registration, utcnow
from eventsapp.registration import services
from eventsapp.tokens import derive_feed_token, hash_token

from .conftest import event, outbox, person, statuses


def test_register_confirms_until_capacity_then_waitlists_in_arrival_order(ctx, make_event):
    eid = make_event(capacity=2)
    results = [services.register(event(eid), person(email=f"p{i}@example.org")) for i in range(4)]
    assert [r.registration.status for r in results] == [
        "confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [services.waitlist_position(r.registration) for r in results] == [None, None, 1, 2]


def test_registration_returned_is_the_stored_row_with_every_column_loaded(ctx, make_event):
    """The service builds the object from the row it inserted: nothing may be left to load."""
    eid = make_event(capacity=1)
    columns = {c.key for c in Registration.__table__.columns}
    results, states, returned = [], [], []
    for i in range(2):
        # Checked before the next unit of work, which reloads what the session holds.
        results.append(services.register(event(eid), person(email=f"p{i}@example.org")))
        state = inspect(results[-1].registration)
        states.append((state.persistent, state.unloaded & columns))
        returned.append({k: getattr(results[-1].registration, k) for k in columns})
    assert states == [(True, set())] * 2
    db.session.expire_all()
    stored = [{k: getattr(db.session.get(Registration, row["id"]), k) for k in columns}
              for row in returned]
    assert returned == stored
    assert [r.position for r in results] == [None, 1]


def test_register_stores_only_hashes_of_the_tokens(ctx, make_event):
    eid = make_event()
    result = services.register(event(eid), person())
    reg = result.registration
    assert len(result.token) == 43
    assert reg.token_hash == hash_token(result.token)
    assert reg.feed_token_hash == hash_token(derive_feed_token(result.token, 1))
    assert result.token not in (reg.token_hash, reg.feed_token_hash, reg.checkin_code)
    assert services.find_by_token(result.token).id == reg.id
    assert services.find_by_feed_token(derive_feed_token(result.token, 1)).id == reg.id


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "../abc", "a\nb", "é" * 43])
def test_find_by_token_returns_none_for_unknown_and_malformed(ctx, make_event, token):
    eid = make_event()
    good = services.register(event(eid), person()).token
    assert services.find_by_token(token) is None
    assert services.find_by_token(good[:-1]) is None
    assert services.find_by_token(good.upper()) is None


def test_event_without_waiting_list_refuses_when_full(ctx, make_event):
    eid = make_event(capacity=1, waitlist_enabled=False)
    services.register(event(eid), person())
    with pytest.raises(services.EventFull) as exc:
        services.register(event(eid), person())
    assert str(exc.value) == "This event is full and does not keep a waiting list."
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_no_capacity_means_no_limit(ctx, make_event):
    eid = make_event(capacity=None)
    results = [services.register(event(eid), person()) for _ in range(5)]
    assert {r.registration.status for r in results} == {"confirmed"}


@pytest.mark.parametrize("overrides, message", [
    ({"status": "draft"}, "Registration has not opened yet."),
    ({"status": "cancelled"}, "This event has been cancelled."),
    ({"registration_opens_at": utcnow() + timedelta(days=1)}, "Registration has not opened yet."),
    ({"registration_closes_at": utcnow() - timedelta(minutes=1)}, "Registration has closed."),
])
def test_registration_outside_window_is_refused(ctx, make_event, overrides, message):
    eid = make_event(**overrides)
    with pytest.raises(services.RegistrationClosed) as exc:
        services.register(event(eid), person())
    assert str(exc.value) == message
    assert statuses(eid) == []


def test_same_email_registers_once_per_event_case_insensitively(ctx, make_event):
    eid, other = make_event(), make_event()
    services.register(event(eid), person(email="user+tag@Example.ORG"))
    with pytest.raises(services.AlreadyRegistered) as exc:
        services.register(event(eid), person(email="USER+tag@example.org"))
    assert str(exc.value).startswith("This email address is already registered for this event.")
    services.register(event(other), person(email="user+tag@example.org"))
    assert len(statuses(eid)) == 1


def test_cancelled_registration_does_not_block_registering_again(ctx, make_event):
    eid = make_event()
    first = services.register(event(eid), person(email="again@example.org"))
    services.cancel_registration(first.registration)
    second = services.register(event(eid), person(email="again@example.org"))
    assert second.registration.status == "confirmed"
    assert statuses(eid) == [("again@example.org", "cancelled"), ("again@example.org", "confirmed")]


def test_cancel_promotes_head_of_waiting_list(ctx, make_event):
    eid = make_event(capacity=1)
    a = services.register(event(eid), person(email="a@example.org"))
    services.register(event(eid), person(email="b@example.org"))
    services.register(event(eid), person(email="c@example.org"))
    promoted = services.cancel_registration(a.registration)
    assert [r.email for r in promoted] == ["b@example.org"]
    assert statuses(eid) == [("a@example.org", "cancelled"), ("b@example.org", "confirmed"),
                             ("c@example.org", "waitlisted")]
    assert outbox()[-2:] == [
        ("a@example.org", "Registration cancelled: Test event 1"),
        ("b@example.org", "A place is yours: Test event 1")]


def test_second_cancel_raises_and_promotes_nobody(ctx, make_event):
    eid = make_event(capacity=1)
    a = services.register(event(eid), person(email="a@example.org"))
    services.register(event(eid), person(email="b@example.org"))
    services.register(event(eid), person(email="c@example.org"))
    services.cancel_registration(a.registration)
    with pytest.raises(services.AlreadyCancelled):
        services.cancel_registration(a.registration)
    assert [s for _, s in statuses(eid)] == ["cancelled", "confirmed", "waitlisted"]


def test_cancelling_a_waitlisted_registration_promotes_nobody(ctx, make_event):
    eid = make_event(capacity=1)
    services.register(event(eid), person(email="a@example.org"))
    b = services.register(event(eid), person(email="b@example.org"))
    c = services.register(event(eid), person(email="c@example.org"))
    assert services.cancel_registration(b.registration) == []
    assert services.waitlist_position(c.registration) == 1


def test_waiting_list_order_after_cancellations_and_capacity_increase(ctx, make_event):
    eid = make_event(capacity=3)
    regs = [services.register(event(eid), person(email=f"r{i}@example.org")).registration
            for i in range(10)]
    # r3..r9 wait, in that order.
    assert [services.waitlist_position(r) for r in regs] == [None] * 3 + list(range(1, 8))
    services.cancel_registration(regs[1])          # r3 promoted
    services.cancel_registration(regs[5])          # waitlisted r5 leaves the list
    services.cancel_registration(regs[0])          # r4 promoted
    promoted = services.change_capacity(event(eid), 5, user=None)   # r6, r7 promoted
    assert [r.email for r in promoted] == ["r6@example.org", "r7@example.org"]
    assert statuses(eid) == [
        ("r0@example.org", "cancelled"), ("r1@example.org", "cancelled"),
        ("r2@example.org", "confirmed"), ("r3@example.org", "confirmed"),
        ("r4@example.org", "confirmed"), ("r5@example.org", "cancelled"),
        ("r6@example.org", "confirmed"), ("r7@example.org", "confirmed"),
        ("r8@example.org", "waitlisted"), ("r9@example.org", "waitlisted")]
    assert [services.waitlist_position(r) for r in regs[8:]] == [1, 2]
    # A newcomer queues behind them although nobody is ahead in the confirmed list.
    late = services.register(event(eid), person(email="late@example.org")).registration
    assert (late.status, services.waitlist_position(late)) == ("waitlisted", 3)


def test_capacity_below_confirmed_is_refused_and_nobody_demoted(ctx, make_event):
    eid = make_event(capacity=3)
    for _ in range(3):
        services.register(event(eid), person())
    with pytest.raises(services.CapacityError) as exc:
        services.change_capacity(event(eid), 2, user=None)
    assert str(exc.value) == ("3 people are already confirmed, so the capacity cannot be lower "
                              "than 3. Cancel registrations first if places must go.")
    assert event(eid).capacity == 3


@pytest.mark.parametrize("bad", [-1, 1.5, "10", True])
def test_capacity_must_be_a_whole_number(ctx, make_event, bad):
    eid = make_event(capacity=3)
    with pytest.raises(services.CapacityError):
        services.change_capacity(event(eid), bad, user=None)


def test_removing_the_limit_promotes_everyone_waiting(ctx, make_event):
    eid = make_event(capacity=1)
    for _ in range(3):
        services.register(event(eid), person())
    assert len(services.change_capacity(event(eid), None, user=None)) == 2
    assert [s for _, s in statuses(eid)] == ["confirmed"] * 3


def test_turning_the_waiting_list_off_keeps_those_waiting(ctx, make_event):
    eid = make_event(capacity=1)
    services.register(event(eid), person())
    waiting = services.register(event(eid), person()).registration
    services.set_waitlist(event(eid), False, user=None)
    with pytest.raises(services.EventFull):
        services.register(event(eid), person())
    assert services.waitlist_position(waiting) == 1


def test_manual_promotion_needs_over_capacity_flag_when_full(ctx, make_event):
    eid = make_event(capacity=1)
    services.register(event(eid), person())
    services.register(event(eid), person())
    second = services.register(event(eid), person()).registration
    with pytest.raises(services.CapacityError):
        services.promote_registration(second, user=None, reason="speaker")
    reg = services.promote_registration(second, user=None, reason="speaker", over_capacity=True)
    assert reg.status == "confirmed"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "promoted")).one()
    assert entry.details == {"reason": "speaker", "over_capacity": True}


def test_manual_promotion_of_a_confirmed_registration_is_refused(ctx, make_event):
    eid = make_event()
    reg = services.register(event(eid), person()).registration
    with pytest.raises(services.RegistrationError) as exc:
        services.promote_registration(reg, user=None, reason="x")
    assert str(exc.value) == "Only someone on the waiting list can be promoted."


def test_per_economy_limit(ctx, make_event):
    eid = make_event(per_economy_limit=2, capacity=10)
    services.register(event(eid), person(economy="JPN"))
    services.register(event(eid), person(economy="JPN"))
    with pytest.raises(services.EconomyLimitReached) as exc:
        services.register(event(eid), person(economy="JPN"))
    assert str(exc.value) == ("This event takes at most 2 participants per economy besides "
                              "the head of delegation; 0 places left for this economy.")
    services.register(event(eid), person(economy="THA"))
    services.register(event(eid), person(economy=None))
    assert len(statuses(eid)) == 4


def test_delegation_registers_everyone_with_the_heads_economy(ctx, make_event):
    eid = make_event(capacity=3)
    head = person(email="head@example.org", economy="VN")
    members = [person(email=f"m{i}@example.org", economy=None) for i in range(3)]
    results = services.register_delegation(event(eid), head, members)
    regs = [r.registration for r in results]
    assert [r.status for r in regs] == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    assert {r.economy for r in regs} == {"VN"}
    assert [r.delegation_head_id for r in regs] == [None] + [regs[0].id] * 3
    assert len({r.token for r in results}) == 4
    assert [to for to, _ in outbox()] == [
        "head@example.org", "m0@example.org", "m1@example.org", "m2@example.org"]


def test_delegation_is_all_or_nothing(ctx, make_event):
    eid = make_event(per_economy_limit=3)
    services.register(event(eid), person(email="taken@example.org", economy="PE"))
    head = person(economy="PE")
    with pytest.raises(services.EconomyLimitReached):
        services.register_delegation(event(eid), head,
                                     [person(economy=None), person(economy=None),
                                      person(economy=None)])
    with pytest.raises(services.AlreadyRegistered) as exc:
        services.register_delegation(event(eid), head, [person(email="x@example.org", economy="PE"),
                                                       person(email="X@example.org", economy="PE")])
    assert str(exc.value) == "Each delegate needs their own email address."
    assert statuses(eid) == [("taken@example.org", "confirmed")]
    assert len(outbox()) == 1


def test_public_delegation_leaves_out_a_registered_address_and_tells_only_that_address(
        ctx, make_event):
    eid = make_event()
    services.register(event(eid), person(email="taken@example.org", economy="PE"))
    results = services.register_delegation(
        event(eid), person(email="lead@example.org", economy="PE"),
        [person(email="taken@example.org", economy=None),
         person(email="new@example.org", economy=None)])
    assert [r.registration.email for r in results] == ["lead@example.org", "new@example.org"]
    assert statuses(eid) == [("taken@example.org", "confirmed"), ("lead@example.org", "confirmed"),
                             ("new@example.org", "confirmed")]
    assert outbox()[1:] == [
        ("taken@example.org", "You are registered already: Test event 1"),
        ("lead@example.org", "Registration confirmed: Test event 1"),
        ("new@example.org", "Registration confirmed: Test event 1")]


def test_staff_delegation_names_a_registered_address_and_registers_nobody(ctx, make_event):
    eid = make_event()
    services.register(event(eid), person(email="taken@example.org", economy="PE"))
    with pytest.raises(services.AlreadyRegistered) as exc:
        services.register_delegation(event(eid), person(economy="PE"),
                                     [person(email="taken@example.org", economy=None)],
                                     trusted=True)
    assert str(exc.value) == ("Already registered for this event: taken@example.org. Nobody in "
                              "the delegation was registered.")
    assert statuses(eid) == [("taken@example.org", "confirmed")]


def test_delegation_without_waiting_list_must_fit_entirely(ctx, make_event):
    eid = make_event(capacity=2, waitlist_enabled=False)
    with pytest.raises(services.EventFull):
        services.register_delegation(event(eid), person(economy="CT"),
                                     [person(economy="CT"), person(economy="CT")])
    assert statuses(eid) == []


def test_delegation_needs_one_economy(ctx, make_event):
    eid = make_event()
    with pytest.raises(services.InvalidDelegation):
        services.register_delegation(event(eid), person(economy=None), [person(economy=None)])
    with pytest.raises(services.InvalidDelegation):
        services.register_delegation(event(eid), person(economy="USA"),
                                     [person(economy="CDA")])


def test_update_keeps_place_and_checks_email_and_economy(ctx, make_event):
    eid = make_event(capacity=1, per_economy_limit=1)
    services.register(event(eid), person(email="a@example.org", economy="NZ"))
    b = services.register(event(eid), person(email="b@example.org", economy="CHL")).registration
    with pytest.raises(services.AlreadyRegistered):
        services.update_registration(b, person(email="A@example.org", economy="CHL"))
    with pytest.raises(services.EconomyLimitReached):
        services.update_registration(b, person(email="b@example.org", economy="NZ"))
    updated = services.update_registration(
        b, person(given_name="Minh Khai", family_name="Nguyễn Thị", email="b2@example.org",
                  economy="CHL"))
    assert (updated.status, updated.full_name, updated.email_normalized) == (
        "waitlisted", "Minh Khai Nguyễn Thị", "b2@example.org")
    assert services.waitlist_position(updated) == 1


def test_update_of_a_cancelled_registration_is_refused(ctx, make_event):
    eid = make_event()
    reg = services.register(event(eid), person()).registration
    services.cancel_registration(reg)
    with pytest.raises(services.AlreadyCancelled):
        services.update_registration(reg, person())


def test_every_change_is_audited(ctx, make_event):
    eid = make_event(capacity=1)
    a = services.register(event(eid), person()).registration
    services.register(event(eid), person())
    services.cancel_registration(a, reason="ill")
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["registered", "registered", "cancelled", "promoted"]


def test_refused_registration_leaves_no_mail_and_no_audit(ctx, make_event):
    eid = make_event(capacity=1, waitlist_enabled=False)
    services.register(event(eid), person())
    with pytest.raises(services.EventFull):
        services.register(event(eid), person())
    assert len(outbox()) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_a_full_width_domain_is_already_registered(ctx, make_event):
    """Issue 14: `victim@ｅxample.com` is the same address as victim@example.com."""
    from eventsapp.registration.validation import clean_registration

    eid = make_event()
    services.register(event(eid), clean_registration(
        {"given_name": "V", "family_name": "Ictim", "email": "victim@example.com"}))
    with pytest.raises(services.AlreadyRegistered):
        services.register(event(eid), clean_registration(
            {"given_name": "V", "family_name": "Ictim", "email": "victim@ｅxample.com"}))


def test_refusals_count_one_in_the_singular(ctx, make_event):
    """Issue 14, item 12: "1 person is", "at most 1 participant"."""
    eid = make_event(per_economy_limit=1, capacity=10)
    services.register(event(eid), person(economy="JPN"))
    with pytest.raises(services.EconomyLimitReached) as exc:
        services.register(event(eid), person(economy="JPN"))
    assert str(exc.value) == ("This event takes at most 1 participant per economy besides "
                              "the head of delegation; 0 places left for this economy.")
    with pytest.raises(services.CapacityError) as exc:
        services.change_capacity(event(eid), 0, user=None)
    assert str(exc.value) == ("1 person is already confirmed, so the capacity cannot be lower "
                              "than 1. Cancel registrations first if places must go.")
