"""Every organiser page checks the role and the event: a matrix of who gets what."""

import pytest
from sqlalchemy import select

from tests.auth.fixtures import sign_in

EVENT_ROUTES = [
    "/admin/events/{slug}/", "/admin/events/{slug}/edit", "/admin/events/{slug}/clone",
    "/admin/events/{slug}/cancel", "/admin/events/{slug}/agenda/{item}/delete",
    "/admin/events/{slug}/registrations/{reg}/cancel",
    "/admin/events/{slug}/registrations/bulk?action=cancel&id={reg}",
    "/admin/events/{slug}/registrations/bulk?action=export&all=1",
    "/admin/events/{slug}/registrations/bulk?action=badges&id={reg}",
    "/admin/events/{slug}/agenda", "/admin/events/{slug}/agenda/new",
    "/admin/events/{slug}/agenda/{item}/edit", "/admin/events/{slug}/registrations",
    "/admin/events/{slug}/registrations.csv", "/admin/events/{slug}/registrations/{reg}",
    "/admin/events/{slug}/registrations/{reg}/answers",
]
GLOBAL_ROUTES = ["/admin/", "/admin/events/new"]
ADMIN_ONLY = ["/admin/audit", "/admin/users", "/admin/users/{admin_id}",
              "/admin/users/{admin_id}/deactivate"]
POST_ROUTES = [
    "/admin/events/{slug}/assumptions/confirm", "/admin/events/{slug}/agenda/publish",
    "/admin/events/{slug}/agenda/confirm", "/admin/events/{slug}/agenda/{item}/delete",
    "/admin/events/{slug}/agenda/{item}/duplicate", "/admin/events/{slug}/agenda/{item}/shift",
    "/admin/events/{slug}/agenda/move", "/admin/events/{slug}/registrations/{reg}/cancel",
    "/admin/events/{slug}/registrations/{reg}/promote",
    "/admin/events/{slug}/registrations/{reg}/answers",
    "/admin/events/{slug}/registrations/bulk/cancel",
    "/admin/events/{slug}/registrations/bulk/promote",
]
# (who, expected status on event pages, on global pages, on admin-only pages)
WHO = [
    ("anonymous", 302, 302, 302),
    ("checkin", 403, 403, 403),
    ("other_organiser", 403, 200, 403),
    ("organiser", 200, 200, 403),
    ("admin", 200, 200, 200),
]


@pytest.fixture
def world(app, make_event, make_user):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from eventsapp.agenda.services import ItemData, add_item
    from eventsapp.extensions import db
    from eventsapp.models import Event
    from eventsapp.registration.services import register
    from eventsapp.registration.validation import clean_registration

    make_event(slug="mine")
    make_event(slug="other")
    with app.app_context():
        ev = db.session.query(Event).filter_by(slug="mine").one()
        tz = ZoneInfo(ev.timezone)
        item, _ = add_item(ev, ItemData(title="Opening",
                                        starts_at=datetime(2030, 3, 4, 9, tzinfo=tz),
                                        ends_at=datetime(2030, 3, 4, 10, tzinfo=tz)), user=None)
        reg = register(ev, clean_registration({"given_name": "Ana", "family_name": "Ruiz",
                                               "email": "ana@example.org"}), notify=False)
        ids = {"slug": "mine", "item": item.id, "reg": reg.registration.id}
    users = {
        "checkin": make_user("checkin"),
        "other_organiser": make_user("organiser", events=("other",)),
        "organiser": make_user("organiser"),  # all events
        "limited_organiser": make_user("organiser", events=("mine",)),
        "admin": make_user("admin"),
    }
    with app.app_context():
        from eventsapp.models import User

        ids["admin_id"] = db.session.scalar(select(User.id).where(
            User.email == users["admin"]))
    return ids, users


def _client(app, users, who):
    client = app.test_client()
    if who != "anonymous":
        assert sign_in(client, users[who]).status_code == 303
    return client


@pytest.mark.parametrize("who,event_status,global_status,admin_status", WHO)
def test_role_matrix_get(app, world, who, event_status, global_status, admin_status):
    ids, users = world
    client = _client(app, users, who)
    got = {}
    expected = {}
    for route in EVENT_ROUTES:
        url = route.format(**ids)
        got[url], expected[url] = client.get(url).status_code, event_status
    if who == "other_organiser":
        # Limited to another event: cannot create events either.
        expected["/admin/events/new"] = 403
    for route in GLOBAL_ROUTES:
        got[route] = client.get(route).status_code
        expected.setdefault(route, global_status)
    for route in ADMIN_ONLY:
        url = route.format(admin_id=ids["admin_id"])
        got[url], expected[url] = client.get(url).status_code, admin_status
    if who == "admin":
        # Nobody deactivates their own account: the confirmation sends them back.
        expected[f"/admin/users/{ids['admin_id']}/deactivate"] = 303
    assert got == expected


@pytest.mark.parametrize("who,status", [("anonymous", 302), ("checkin", 403),
                                        ("other_organiser", 403)])
def test_role_matrix_post_refused_and_nothing_changes(app, world, who, status):
    ids, users = world
    client = _client(app, users, who)
    got = {route: client.post(route.format(**ids), data={
        "minutes": "15", "reason": "x", "ids": str(ids["reg"])}).status_code
        for route in POST_ROUTES}
    assert got == {route: status for route in POST_ROUTES}
    from eventsapp.extensions import db
    from eventsapp.models import AgendaItem, Registration
    with app.app_context():
        item = db.session.get(AgendaItem, ids["item"])
        assert (item.sequence, item.status) == (0, "confirmed")
        assert db.session.get(Registration, ids["reg"]).status == "confirmed"


def test_anonymous_is_sent_to_sign_in(app, world):
    ids, users = world
    response = app.test_client().get("/admin/events/mine/agenda")
    assert response.headers["Location"] == "/login?next=%2Fadmin%2Fevents%2Fmine%2Fagenda"


def test_item_of_another_event_is_not_found_through_my_event(app, world, make_event):
    ids, users = world
    client = _client(app, users, "admin")
    assert client.get(f"/admin/events/other/agenda/{ids['item']}/edit").status_code == 404
    assert client.get(f"/admin/events/other/registrations/{ids['reg']}").status_code == 404


def test_organiser_limited_to_one_event_manages_it_but_cannot_create_events(app, world):
    ids, users = world
    client = _client(app, users, "limited_organiser")
    assert client.get("/admin/events/mine/agenda").status_code == 200
    assert client.get("/admin/events/other/agenda").status_code == 403
    assert client.get("/admin/events/other/registrations.csv").status_code == 403
    assert client.get("/admin/events/new").status_code == 403
    assert client.get("/admin/events/mine/clone").status_code == 403
    dashboard = client.get("/admin/").text
    assert "Test event" in dashboard
    assert "/admin/events/other/edit" not in dashboard


def test_role_rules_are_answered_by_the_roles_layer(app, world, make_user):
    from eventsapp.auth.roles import (
        can_read_audit_log,
        covers_every_event,
        economy_scope,
        manages_every_event,
    )
    from eventsapp.auth.services import get_user_by_email

    _, users = world
    focal = make_user("focal_point", economy="SGP")
    with app.app_context():
        got = {who: (manages_every_event(u), covers_every_event(u), can_read_audit_log(u),
                     economy_scope(u))
               for who, u in ((w, get_user_by_email(e)) for w, e in
                              [*users.items(), ("focal", focal)])}
    assert got == {
        "checkin": (False, True, False, None),
        "other_organiser": (False, False, False, None),
        "organiser": (True, True, False, None),
        "limited_organiser": (False, False, False, None),
        "admin": (True, True, True, None),
        "focal": (False, True, False, "SGP"),
    }


@pytest.mark.parametrize("who,history_link,create_link", [
    ("admin", True, True), ("organiser", False, True), ("limited_organiser", False, False)])
def test_registration_history_link_and_new_event_link_follow_the_role(
        app, world, who, history_link, create_link):
    ids, users = world
    client = _client(app, users, who)
    page = client.get(f"/admin/events/mine/registrations/{ids['reg']}").text
    overview = client.get("/admin/events/mine/").text
    dashboard = client.get("/admin/").text
    assert (f"/admin/audit?registration={ids['reg']}" in page) is history_link
    assert ("/admin/audit?event=mine" in overview) is history_link
    assert ('href="/admin/events/new"' in dashboard) is create_link


def test_users_page_says_every_event_for_unlimited_accounts_only(app, world):
    _, users = world
    page = _client(app, users, "admin").get("/admin/users").text
    events_cell = {row.split('<th scope="row">')[1].split("<")[0]:
                   row.split("<td>")[2].split("<")[0]
                   for row in page.split("<tr>") if '<th scope="row">' in row}
    assert events_cell[users["organiser"]] == "Every event"
    assert events_cell[users["checkin"]] == "Every event"
    with app.app_context():
        from eventsapp.extensions import db
        from eventsapp.models import Event
        mine = db.session.scalar(select(Event.title).where(Event.slug == "mine"))
    assert events_cell[users["limited_organiser"]] == mine
