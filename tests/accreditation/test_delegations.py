"""Heads of delegation, quotas, substitution and withdrawal (both databases)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from eventsapp.accreditation import services as accreditation
from eventsapp.checkin.services import CheckInError, check_in
from eventsapp.extensions import db
from eventsapp.models import Registration
from eventsapp.registration import services

from .conftest import event, outbox, person, statuses, user


def staff_register(eid, **fields):
    return services.register(event(eid), person(**fields), trusted=True).registration


def test_a_second_head_for_one_economy_is_refused_with_a_clear_message(ctx, make_event):
    eid = make_event()
    staff_register(eid, economy="AUS", category="head_of_delegation")
    with pytest.raises(services.HeadOfDelegationTaken) as exc:
        staff_register(eid, economy="AUS", category="head_of_delegation")
    assert str(exc.value) == ("Australia already has a head of delegation at this event. An "
                              "economy has one: its focal point or the secretariat can change "
                              "who it is.")
    staff_register(eid, economy="NZ", category="head_of_delegation")
    assert [s for _, s in statuses(eid)] == ["confirmed", "confirmed"]


def test_the_database_refuses_a_second_active_head_whatever_the_code(ctx, make_event):
    eid = make_event()
    head = staff_register(eid, economy="AUS", category="head_of_delegation")
    other = staff_register(eid, economy="AUS")
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE registration SET category = 'head_of_delegation' "
                                "WHERE id = :id"), {"id": other.id})
    db.session.rollback()
    # A cancelled head is no longer a head: another may be named.
    services.cancel_registration(db.session.get(Registration, head.id))
    db.session.execute(text("UPDATE registration SET category = 'head_of_delegation' "
                            "WHERE id = :id"), {"id": other.id})
    db.session.commit()


def test_changing_the_head_is_one_action_that_demotes_the_old_one(ctx, make_event, make_staff):
    eid = make_event()
    old = staff_register(eid, economy="AUS", category="head_of_delegation")
    new = staff_register(eid, economy="AUS")
    focal = user(make_staff("focal_point", economy="AUS"))
    with pytest.raises(services.HeadOfDelegationTaken):
        accreditation.name_head(new, user=focal)
    replaced = accreditation.name_head(new, user=focal, replace_current=True)
    assert replaced.id == old.id
    assert (db.session.get(Registration, old.id).category,
            db.session.get(Registration, new.id).category) == ("delegate", "head_of_delegation")


def test_category_quota_refuses_past_its_limit_and_counts_only_places(ctx, make_event):
    eid = make_event(category_limits={"observer": 2}, public_categories=["delegate", "observer"])
    services.register(event(eid), person(category="observer"))
    cancelled = services.register(event(eid), person(category="observer")).registration
    services.cancel_registration(cancelled)
    services.register(event(eid), person(category="observer"))
    with pytest.raises(services.QuotaReached) as exc:
        services.register(event(eid), person(category="observer"))
    assert str(exc.value) == ("This event takes at most 2 in the category observer; 0 places "
                              "left in it.")
    assert services.register(event(eid), person(category="delegate")).registration.status == \
        "confirmed"


def test_per_economy_limit_does_not_count_the_head(ctx, make_event):
    eid = make_event(per_economy_limit=2)
    staff_register(eid, economy="JPN", category="head_of_delegation")
    services.register(event(eid), person(economy="JPN"))
    services.register(event(eid), person(economy="JPN"))
    with pytest.raises(services.EconomyLimitReached):
        services.register(event(eid), person(economy="JPN"))
    assert len(statuses(eid)) == 3


def test_pending_registrations_do_not_count_against_quotas_until_approved(
        ctx, make_event, make_staff):
    eid = make_event(registration_mode="approval", category_limits={"observer": 1})
    first, second = [services.register(event(eid), person(category="observer")).registration
                     for _ in range(2)]
    organiser = user(make_staff("organiser"))
    accreditation.approve(second, user=organiser)
    with pytest.raises(services.QuotaReached):
        accreditation.approve(first, user=organiser)
    assert [s for _, s in statuses(eid)] == ["pending", "confirmed"]


def test_substitute_takes_the_place_and_the_old_badge_and_code_stop_working(
        ctx, make_event, make_staff):
    eid = make_event(capacity=1)
    old = staff_register(eid, economy="THA", email="somchai@example.org")
    focal = user(make_staff("focal_point", economy="THA"))
    done = accreditation.substitute(old, person(given_name="Nok", family_name="Saelim",
                                                email="nok@example.org", economy="VN",
                                                category="speaker"), user=focal)
    new = done.registration
    assert (new.status, new.economy, new.category, new.replaces_id) == (
        "confirmed", "THA", "delegate", old.id)
    stale = db.session.get(Registration, old.id)
    assert stale.status == "cancelled"
    assert services.find_by_token(done.token).id == new.id
    assert (event(eid).confirmed_count, event(eid).waitlisted_count) == (1, 0)
    with pytest.raises(CheckInError):
        check_in(stale, date(2030, 3, 4), user=focal)
    assert outbox()[-2:] == [
        ("somchai@example.org", "Your place has gone to a substitute: Test event 1"),
        ("nok@example.org", "Registration confirmed: Test event 1")]


def test_substitute_keeps_the_waiting_list_position(ctx, make_event, make_staff):
    eid = make_event(capacity=1)
    services.register(event(eid), person(email="first@example.org"))
    waiting = [services.register(event(eid), person(email=f"w{i}@example.org")).registration
               for i in range(3)]
    done = accreditation.substitute(waiting[1], person(email="sub@example.org"),
                                    user=user(make_staff("organiser")))
    assert done.position == 2
    assert services.waitlist_position(done.registration) == 2
    services.cancel_registration(db.session.get(Registration, waiting[0].id))
    services.cancel_registration(
        db.session.scalar(db.select(Registration).filter_by(email="first@example.org")))
    assert [s for e, s in statuses(eid) if e == "sub@example.org"] == ["confirmed"]
    assert [s for e, s in statuses(eid) if e == "w2@example.org"] == ["waitlisted"]


def test_substitution_with_a_registered_address_is_refused_and_changes_nothing(
        ctx, make_event, make_staff):
    eid = make_event()
    old = staff_register(eid, economy="PE", email="old@example.org")
    staff_register(eid, economy="CHL", email="taken@example.org")
    with pytest.raises(services.AlreadyRegistered):
        accreditation.substitute(old, person(email="taken@example.org"),
                                 user=user(make_staff("organiser")))
    assert statuses(eid) == [("old@example.org", "confirmed"), ("taken@example.org", "confirmed")]


def test_withdrawing_a_member_promotes_the_head_of_the_waiting_list(ctx, make_event, make_staff):
    eid = make_event(capacity=1)
    member = staff_register(eid, economy="PHL", email="m@example.org")
    services.register(event(eid), person(email="next@example.org"))
    promoted = accreditation.withdraw(member, user=user(make_staff("focal_point", economy="PHL")),
                                      reason="Travel cancelled")
    assert [r.email for r in promoted] == ["next@example.org"]
    assert outbox()[-2][0] == "m@example.org"


def test_a_cloned_meeting_accredits_like_the_last_one(ctx, make_event):
    from eventsapp.events.editing import clone_event

    eid = make_event(registration_mode="approval", approval_steps=2,
                     public_categories=["delegate"], category_limits={"media": 5})
    copy = clone_event(event(eid), slug="next", title="Next", start_date=None, user=None)
    assert (copy.registration_mode, copy.approval_steps, copy.public_categories,
            copy.category_limits) == ("approval", 2, ["delegate"], {"media": 5})


def test_a_registrant_cannot_move_to_another_economy_at_a_meeting_by_approval(
        ctx, make_event):
    """Walk finding: an NZ delegate approved by NZ changed their economy to Japan and stayed
    confirmed in Japan's delegation, approved by nobody in Japan."""
    eid = make_event(registration_mode="approval")
    open_eid = make_event(slug="open-one")
    reg = staff_register(eid, economy="NZ")
    with pytest.raises(services.NotAllowed) as exc:
        services.update_registration(reg, person(economy="JPN"))
    assert str(exc.value).startswith("At this meeting your economy's focal point approves")
    assert db.session.get(Registration, reg.id).economy == "NZ"
    # An open meeting lets the registrant.
    mine = staff_register(open_eid, economy="NZ")
    assert services.update_registration(mine, person(economy="JPN")).economy == "JPN"


def test_only_an_approved_registration_can_be_made_head(ctx, make_event, make_staff):
    """Walk finding: a pending registration was made head and could then manage the
    delegation through its private link."""
    eid = make_event(registration_mode="approval")
    pending = services.register(event(eid), person(economy="SGP")).registration
    assert pending.status == "pending"
    focal = user(make_staff("focal_point", economy="SGP"))
    with pytest.raises(services.RegistrationError) as exc:
        accreditation.name_head(pending, user=focal)
    assert "only an approved registration" in str(exc.value)
    assert db.session.get(Registration, pending.id).category == "delegate"


def test_a_head_adding_someone_already_in_the_delegation_is_told_so(ctx, make_event):
    """Walk finding: adding a member's address again said "added" and added nobody."""
    eid = make_event()
    head = staff_register(eid, economy="AUS", category="head_of_delegation")
    member = staff_register(eid, economy="AUS", email="jack@example.org", given_name="Jack")
    with pytest.raises(services.AlreadyRegistered) as exc:
        services.add_delegate(event(eid), person(email="Jack@Example.org"), head=head)
    assert str(exc.value) == (f"{member.full_name} is in your delegation already, with this "
                              "email address.")
    assert len(statuses(eid)) == 2


def test_a_page_left_open_does_not_replace_a_head_named_since(ctx, make_event, make_staff):
    """Walk finding: tab B, opened before tab A named Arjun head, clicked "Make head
    instead of Wei Ling Tan" and demoted Arjun without a word."""
    eid = make_event()
    first = staff_register(eid, economy="SGP", category="head_of_delegation")
    arjun = staff_register(eid, economy="SGP")
    other = staff_register(eid, economy="SGP")
    focal = user(make_staff("focal_point", economy="SGP"))
    accreditation.name_head(arjun, user=focal, replace_current=True, replacing=first.id)
    with pytest.raises(services.HeadOfDelegationTaken) as exc:
        accreditation.name_head(other, user=focal, replace_current=True, replacing=first.id)
    assert str(exc.value).startswith(f"{arjun.full_name} was named head of delegation meanwhile")
    assert db.session.get(Registration, arjun.id).category == "head_of_delegation"
