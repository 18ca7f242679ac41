"""Bulk actions on the registrations list: the services (one unit of work per batch, one
audit entry and one email per person) and the pages (selection, confirmation, export, badges)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from eventsapp.extensions import db
from eventsapp.models import AuditEntry, Event, OutboxMessage, Registration, User
from eventsapp.registration import services
from eventsapp.registration.services import register
from eventsapp.registration.validation import clean_registration


def _fill(app, event_id: int, n: int, **fields) -> list[int]:
    """n registrations (P0…, no mail) in arrival order; returns their ids."""
    with app.app_context():
        ev = db.session.get(Event, event_id)
        return [register(ev, clean_registration({
            "given_name": f"P{i}", "family_name": "X", "email": f"p{i}@example.org",
            **fields}), notify=False).registration.id for i in range(n)]


def _statuses(app, ids: list[int]) -> list[str]:
    with app.app_context():
        return [db.session.get(Registration, i).status for i in ids]


def _outbox(app) -> list[tuple[str, str]]:
    with app.app_context():
        return sorted((m.to_addr, m.subject.split(":")[0])
                      for m in db.session.scalars(select(OutboxMessage)))


def _admin(app) -> User:
    return db.session.scalar(select(User).where(User.role == "admin"))


# --- services ---------------------------------------------------------------------------------


def test_cancel_registrations_cancels_exactly_the_selected_then_promotes_once(
        app, make_event, make_user):
    make_user("admin")
    event_id = make_event(capacity=3)
    ids = _fill(app, event_id, 6)  # 3 confirmed, 3 waiting
    with app.app_context():
        result = services.cancel_registrations(
            db.session.get(Event, event_id), [ids[0], ids[1], ids[4]], user=_admin(app),
            reason="Room changed")
        assert [r.id for r in result.changed] == [ids[0], ids[1], ids[4]]
        assert result.skipped == []
        # Two places freed; the selected waiting person (P4) is not promoted first.
        assert [r.id for r in result.promoted] == [ids[3], ids[5]]
    assert _statuses(app, ids) == ["cancelled", "cancelled", "confirmed", "confirmed",
                                   "cancelled", "confirmed"]
    assert _outbox(app) == [("p0@example.org", "Registration cancelled"),
                            ("p1@example.org", "Registration cancelled"),
                            ("p3@example.org", "A place is yours"),
                            ("p4@example.org", "Registration cancelled"),
                            ("p5@example.org", "A place is yours")]
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "cancelled").order_by(AuditEntry.object_id)).all()
        assert [(e.object_id, e.details["reason"], e.details["bulk"], e.user_id is not None)
                for e in entries] == [(ids[0], "Room changed", 3, True),
                                      (ids[1], "Room changed", 3, True),
                                      (ids[4], "Room changed", 3, True)]
        ev = db.session.get(Event, event_id)
        assert (ev.confirmed_count, ev.waitlisted_count) == (3, 0)


def test_cancel_registrations_skips_the_cancelled_and_ignores_other_events(
        app, make_event, make_user):
    make_user("admin")
    mine, other = make_event(capacity=5), make_event(capacity=5)
    ids = _fill(app, mine, 2)
    with app.app_context():
        stranger = register(db.session.get(Event, other), clean_registration({
            "given_name": "S", "family_name": "Y", "email": "s@example.org"}),
            notify=False).registration.id
        services.cancel_registration(db.session.get(Registration, ids[0]), notify=False)
        result = services.cancel_registrations(db.session.get(Event, mine),
                                               [*ids, stranger], user=_admin(app), reason="x")
        assert ([r.id for r in result.changed], [r.id for r in result.skipped]) == (
            [ids[1]], [ids[0]])
    assert _statuses(app, [*ids, stranger]) == ["cancelled", "cancelled", "confirmed"]


def test_cancel_registrations_is_all_or_nothing(app, make_event, make_user, monkeypatch):
    make_user("admin")
    event_id = make_event(capacity=5)
    ids = _fill(app, event_id, 3)
    calls = []

    def failing_mail(reg, **_kwargs):
        calls.append(reg.id)
        if len(calls) == 3:
            raise RuntimeError("the mail template broke")

    monkeypatch.setattr(services.notices, "cancelled", failing_mail)
    with app.app_context():
        with pytest.raises(RuntimeError):
            services.cancel_registrations(db.session.get(Event, event_id), ids,
                                          user=_admin(app), reason="x")
    assert calls == ids
    assert _statuses(app, ids) == ["confirmed"] * 3
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "cancelled")) == 0


def test_promote_registrations_needs_over_capacity_and_then_confirms_each(
        app, make_event, make_user):
    make_user("admin")
    event_id = make_event(capacity=2)
    ids = _fill(app, event_id, 5)  # 2 confirmed, 3 waiting
    with app.app_context():
        ev = db.session.get(Event, event_id)
        with pytest.raises(services.CapacityError,
                           match="goes over the capacity of 2 by 2"):
            services.promote_registrations(ev, [ids[0], ids[3], ids[4]], user=_admin(app),
                                           reason="Ministers")
    assert _statuses(app, ids) == ["confirmed"] * 2 + ["waitlisted"] * 3
    assert _outbox(app) == []
    with app.app_context():
        result = services.promote_registrations(
            db.session.get(Event, event_id), [ids[0], ids[3], ids[4]], user=_admin(app),
            reason="Ministers", over_capacity=True)
        assert ([r.id for r in result.changed], [r.id for r in result.skipped],
                result.promoted) == ([ids[3], ids[4]], [ids[0]], [])
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "promoted").order_by(AuditEntry.object_id)).all()
        assert [(e.object_id, e.details["reason"], e.details["over_capacity"])
                for e in entries] == [(ids[3], "Ministers", True), (ids[4], "Ministers", True)]
    assert _statuses(app, ids) == ["confirmed", "confirmed", "waitlisted", "confirmed",
                                   "confirmed"]
    assert _outbox(app) == [("p3@example.org", "A place is yours"),
                            ("p4@example.org", "A place is yours")]


# --- pages ------------------------------------------------------------------------------------


@pytest.fixture
def full_event(app, make_event):
    """Event "b": capacity 3, six registrations P0–P5 (three confirmed, three waiting)."""
    event_id = make_event(slug="b", capacity=3)
    return event_id, _fill(app, event_id, 6)


def test_bulk_cancel_confirmation_names_the_count_and_changes_nothing(
        app, admin_client, full_event):
    event_id, ids = full_event
    page = admin_client.get("/admin/events/b/registrations/bulk",
                            query_string={"action": "cancel", "id": [ids[0], ids[4]]})
    assert page.status_code == 200
    assert "<h1>Cancel 2 registrations?</h1>" in page.text
    assert "1 has a place and 1 is on the waiting list." in page.text
    assert f'name="ids" type="hidden" value="{ids[0]},{ids[4]}"' in page.text
    assert _statuses(app, ids) == ["confirmed"] * 3 + ["waitlisted"] * 3


def test_bulk_cancel_posts_the_ids_it_showed(app, admin_client, full_event):
    event_id, ids = full_event
    response = admin_client.post("/admin/events/b/registrations/bulk/cancel",
                                 data={"ids": f"{ids[0]},{ids[1]}", "reason": "Double booked"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/events/b/registrations"
    assert _statuses(app, ids) == ["cancelled", "cancelled", "confirmed", "confirmed",
                                   "confirmed", "waitlisted"]
    flash = admin_client.get("/admin/events/b/registrations").text
    assert "Cancelled 2 registrations. Confirmed 2 from the waiting list." in flash


def test_bulk_cancel_without_a_reason_is_422_and_changes_nothing(app, admin_client, full_event):
    event_id, ids = full_event
    response = admin_client.post("/admin/events/b/registrations/bulk/cancel",
                                 data={"ids": str(ids[0]), "reason": ""})
    assert response.status_code == 422
    assert 'href="#reason"' in response.text
    assert _statuses(app, ids)[0] == "confirmed"


@pytest.mark.parametrize("ids", ["1,x", "1;2", "-1", "1,,2"])
def test_malformed_selection_is_422(admin_client, full_event, ids):
    response = admin_client.post("/admin/events/b/registrations/bulk/cancel",
                                 data={"ids": ids, "reason": "x"})
    assert response.status_code == 422
    assert "not a registration" in response.text


def test_select_all_matching_takes_every_page_and_skips_the_cancelled(
        app, admin_client, full_event):
    event_id, ids = full_event
    admin_client.post("/admin/events/b/registrations/bulk/cancel",
                      data={"ids": str(ids[5]), "reason": "x"})
    page = admin_client.get("/admin/events/b/registrations/bulk", query_string={
        "action": "cancel", "all": "1", "q": "p", "per_page": "25"})
    assert "<h1>Cancel 5 registrations?</h1>" in page.text
    assert "1 of the selected is already cancelled" in page.text
    waiting = admin_client.get("/admin/events/b/registrations/bulk", query_string={
        "action": "promote", "all": "1", "status": "waitlisted"})
    assert "<h1>Confirm 2 people from the waiting list?</h1>" in waiting.text


def test_nothing_selected_goes_back_to_the_list_with_a_message(admin_client, full_event):
    response = admin_client.get("/admin/events/b/registrations/bulk",
                                query_string={"action": "cancel", "status": "confirmed"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/events/b/registrations?status=confirmed"
    assert "Select at least one registration" in admin_client.get(
        response.headers["Location"]).text


def test_bulk_promote_page_refuses_over_capacity_without_the_box(app, admin_client,
                                                                  full_event):
    event_id, ids = full_event
    refused = admin_client.post("/admin/events/b/registrations/bulk/promote",
                                data={"ids": str(ids[5]), "reason": "Speaker"})
    assert refused.status_code == 409
    assert "goes over the capacity of 3 by 1" in refused.text
    done = admin_client.post("/admin/events/b/registrations/bulk/promote",
                             data={"ids": str(ids[5]), "reason": "Speaker",
                                   "over_capacity": "y"})
    assert done.status_code == 303
    assert _statuses(app, ids)[3:] == ["waitlisted", "waitlisted", "confirmed"]


def test_export_of_the_selection_is_a_csv_of_exactly_those(admin_client, full_event):
    event_id, ids = full_event
    response = admin_client.get("/admin/events/b/registrations/bulk",
                                query_string={"action": "export", "id": [ids[2], ids[4]]})
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="selected-registrations-b.csv"'
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [(r[0], r[3]) for r in rows[1:]] == [(str(ids[2]), "P2"), (str(ids[4]), "P4")]


def test_badges_of_the_selection_are_a_preview_of_the_confirmed_only(app, admin_client,
                                                                      full_event):
    event_id, ids = full_event
    page = admin_client.get("/admin/events/b/registrations/bulk",
                            query_string={"action": "badges", "id": [ids[0], ids[1], ids[4]]})
    assert "Print the badges of 2 selected people" in page.text
    assert "1 of the selected is not confirmed and gets no badge." in page.text
    pdf = admin_client.get("/admin/events/b/registrations/badges.pdf",
                           query_string={"id": [ids[0], ids[1], ids[4]], "layout": "a6"})
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert ("P0" in text, "P1" in text, "P4" in text) == (True, True, False)
    assert len(PdfReader(io.BytesIO(pdf.data)).pages) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.badge_printed_at.is_not(None))) == 0
    assert admin_client.get("/admin/events/b/registrations/badges.pdf", query_string={
        "id": ids[4]}).status_code == 404
    assert admin_client.get("/admin/events/b/registrations/badges.pdf", query_string={
        "id": ids[0], "layout": "poster"}).status_code == 422


def test_bulk_pages_are_for_organisers_of_the_event(app, make_event, make_user, full_event):
    from tests.auth.fixtures import sign_in

    event_id, ids = full_event
    make_event(slug="elsewhere")
    client = app.test_client()
    sign_in(client, make_user("organiser", events=("elsewhere",)))
    assert client.get("/admin/events/b/registrations/bulk", query_string={
        "action": "cancel", "id": ids[0]}).status_code == 403
    assert client.post("/admin/events/b/registrations/bulk/cancel", data={
        "ids": str(ids[0]), "reason": "x"}).status_code == 403
    assert _statuses(app, ids)[0] == "confirmed"


def test_unknown_action_is_422(admin_client, full_event):
    response = admin_client.get("/admin/events/b/registrations/bulk",
                                query_string={"action": "delete", "id": "1"})
    assert response.status_code == 422
    assert re.search(r"Choose one of the actions: cancel, promote, badges, export", response.text)


def test_select_all_beyond_the_bulk_limit_is_refused_naming_it(admin_client, full_event,
                                                               monkeypatch):
    monkeypatch.setattr("eventsapp.admin.registrations.MAX_ROWS", 5)
    response = admin_client.get("/admin/events/b/registrations/bulk",
                                query_string={"action": "cancel", "all": "1"})
    assert response.status_code == 422
    assert "A bulk action takes at most 5 registrations at once; narrow the filters." in \
        response.text
