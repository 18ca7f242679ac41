"""Bounded agenda work (issue 13): at most MAX_AGENDA_ITEMS items, warnings by a sweep."""

import random
from datetime import UTC, date, datetime, timedelta
from itertools import combinations

import pytest
from sqlalchemy import func, select

from eventsapp.agenda import services
from eventsapp.agenda.services import MAX_AGENDA_ITEMS, MAX_WARNINGS_PER_ITEM
from eventsapp.auth.services import create_api_token, get_user_by_email
from eventsapp.extensions import db
from eventsapp.models import AgendaItem, AuditEntry, Event

FULL = (f"This agenda already has {MAX_AGENDA_ITEMS} items, and an event can hold at most "
        f"{MAX_AGENDA_ITEMS}. Delete items you no longer need first.")
START = datetime(2030, 3, 4, 1, 0, tzinfo=UTC)  # 09:00 in Kuala Lumpur, the event's zone


def fill(app, event_id: int, count: int) -> None:
    """`count` half-hour items, each in a room of its own, written directly (not through
    the service), as an older agenda would be."""
    with app.app_context():
        db.session.add_all(AgendaItem(
            event_id=event_id, title=f"Item {n}", room=f"Room {n}",
            starts_at=START + timedelta(minutes=n % 600), ends_at=START + timedelta(
                minutes=n % 600 + 30)) for n in range(count))
        db.session.commit()


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(AgendaItem)),
                db.session.scalar(select(func.count()).select_from(AuditEntry)))


def new_item() -> services.ItemData:
    return services.ItemData(title="One more", starts_at=START, ends_at=START + timedelta(hours=1))


@pytest.fixture
def full_event(app, make_event):
    event_id = make_event(slug="e")
    fill(app, event_id, MAX_AGENDA_ITEMS)
    return event_id


def test_event_refuses_2001st_agenda_item_and_writes_nothing(app, full_event):
    with app.app_context():
        event = db.session.get(Event, full_event)
        with pytest.raises(services.AgendaFull) as exc:
            services.add_item(event, new_item(), user=None)
    assert str(exc.value) == FULL
    assert counts(app) == (MAX_AGENDA_ITEMS, 0)


def test_event_takes_its_2000th_agenda_item(app, make_event):
    event_id = make_event()
    fill(app, event_id, MAX_AGENDA_ITEMS - 1)
    with app.app_context():
        services.add_item(db.session.get(Event, event_id), new_item(), user=None)
    assert counts(app) == (MAX_AGENDA_ITEMS, 1)


def test_api_2001st_agenda_item_is_409_and_writes_nothing(app, client, full_event, make_user):
    with app.app_context():
        token = create_api_token(get_user_by_email(make_user("admin")), "test")
    before = counts(app)
    response = client.post("/api/v1/events/e/agenda", headers={"Authorization": f"Bearer {token}"},
                           json={"title": "One more", "starts_at": "2030-03-04T09:00:00+08:00",
                                 "ends_at": "2030-03-04T10:00:00+08:00"})
    assert (response.status_code, response.json) == (409, {"error": "Conflict", "message": FULL})
    assert counts(app) == before


def test_form_2001st_agenda_item_is_409_with_the_reason(app, admin_client, full_event):
    before = counts(app)
    response = admin_client.post("/admin/events/e/agenda/new", data={
        "title": "One more", "kind": "session", "day": "2030-03-04", "start": "09:00",
        "end": "10:00"})
    assert (response.status_code, f"<li>{FULL}</li>" in response.text) == (409, True)
    assert counts(app) == before


def test_duplicate_at_the_cap_is_refused_with_the_reason(app, admin_client, full_event):
    with app.app_context():
        item_id = db.session.scalar(select(func.min(AgendaItem.id)))
    before = counts(app)
    response = admin_client.post(f"/admin/events/e/agenda/{item_id}/duplicate")
    assert (response.status_code, response.headers["Location"]) == (
        303, f"/admin/events/e/agenda#item-{item_id}")
    with admin_client.session_transaction() as session:
        assert session["_flashes"] == [("error", FULL)]
    assert counts(app) == before


def test_clone_of_an_agenda_over_the_cap_is_refused_and_writes_nothing(app, admin_client,
                                                                       make_event):
    event_id = make_event(slug="e")
    fill(app, event_id, MAX_AGENDA_ITEMS + 1)  # an older agenda, from before the cap
    before = counts(app)
    response = admin_client.post("/admin/events/e/clone", data={
        "slug": "e2", "title": "Next", "start_date": "2031-03-03"})
    assert (response.status_code,
            f"The agenda of Test event 1 has {MAX_AGENDA_ITEMS + 1} items, more than the "
            f"{MAX_AGENDA_ITEMS} an event can hold, so it cannot be copied." in response.text
            ) == (422, True)
    assert counts(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Event)) == 1


# --- conflict warnings: a sweep, not every pair ---------------------------------------------


def pairwise_warnings(event: Event) -> dict[int, list[str]]:
    """The warnings as a comparison of every pair gives them (the code before the sweep),
    kept to MAX_WARNINGS_PER_ITEM per item like the service."""
    items = [i for i in event.agenda_items if not i.is_cancelled]
    found = {i.id: services._outside_days(event, i) for i in items}
    for a, b in combinations(sorted(items, key=lambda i: i.starts_at), 2):
        if not (a.starts_at < b.ends_at and b.starts_at < a.ends_at):
            continue
        if a.room and a.room.strip().casefold() == b.room.strip().casefold():
            found[a.id].append(f"Room {a.room} is also used by “{b.title}” at the same time.")
            found[b.id].append(f"Room {b.room} is also used by “{a.title}” at the same time.")
        others = {p.strip().casefold() for p in b.people}
        shared: list[str] = []
        for person in a.people:
            if person.strip().casefold() in others and person not in shared:
                shared.append(person)
        for person in shared:
            found[a.id].append(f"{person} is also in “{b.title}” at the same time.")
            found[b.id].append(f"{person} is also in “{a.title}” at the same time.")
    kept = {}
    for item_id, messages in found.items():
        if len(messages) >= MAX_WARNINGS_PER_ITEM:
            messages = [*messages[:MAX_WARNINGS_PER_ITEM],
                        f"Only the first {MAX_WARNINGS_PER_ITEM} warnings are listed."]
        if messages:
            kept[item_id] = messages
    return kept


def agenda(items: list[AgendaItem], days: int = 1) -> Event:
    """An event that is never stored: the warnings are a pure function of its items."""
    return Event(slug="x", title="x", timezone="UTC", start_date=date(2030, 3, 4),
                 end_date=date(2030, 3, 3 + days), agenda_items=items)


def item(n: int, starts_at: datetime, ends_at: datetime, room: str = "",
         people: tuple[list[str], list[str]] = ([], []), status: str = "confirmed"):
    return AgendaItem(id=n, title=f"Item {n}", starts_at=starts_at, ends_at=ends_at, room=room,
                      chairs=people[0], speakers=people[1], status=status)


# Spellings that match each other once stripped and case-folded, and some that do not.
ROOMS = ["", "Hall A", "hall a ", "Hall B", "Room 1"]
PEOPLE = ["Dr Lim", "dr lim", "Ana", "ANA ", "Bo", "Chen", "Dee"]


def random_agenda(rng: random.Random) -> Event:
    items = []
    for n in range(1, rng.randint(0, 45) + 1):
        starts_at = START + timedelta(minutes=15 * rng.randint(0, 60))
        # Some items have no length at all, as an older agenda may hold.
        length = timedelta(minutes=15 * rng.randint(0 if rng.random() < 0.05 else 1, 8))
        items.append(item(n, starts_at, starts_at + length, rng.choice(ROOMS),
                          (rng.sample(PEOPLE, rng.randint(0, 2)),
                           rng.sample(PEOPLE, rng.randint(0, 3))),
                          "cancelled" if rng.random() < 0.1 else "confirmed"))
    return agenda(items)


def test_conflict_warnings_equal_the_pairwise_comparison_on_random_agendas():
    rng = random.Random(13)
    capped = 0
    for _ in range(600):
        event = random_agenda(rng)
        expected = pairwise_warnings(event)
        assert services.agenda_warnings(event) == expected
        capped += any(len(m) > MAX_WARNINGS_PER_ITEM for m in expected.values())
    assert capped > 10  # the limit per item was exercised too


class Instant(datetime):
    """A datetime that counts how often it is compared."""

    comparisons = 0

    def __lt__(self, other):
        Instant.comparisons += 1
        return super().__lt__(other)

    def __le__(self, other):
        Instant.comparisons += 1
        return super().__le__(other)

    def __gt__(self, other):
        Instant.comparisons += 1
        return super().__gt__(other)

    def __ge__(self, other):
        Instant.comparisons += 1
        return super().__ge__(other)


def instant(minutes: int) -> Instant:
    at = START + timedelta(minutes=minutes)
    return Instant(at.year, at.month, at.day, at.hour, at.minute, tzinfo=UTC)


@pytest.mark.parametrize("layout, warned", [
    # Every pair overlaps: a comparison of every pair makes 1,999,000 checks.
    ("at once, each in its own room", 0),
    ("at once, all in one room", MAX_AGENDA_ITEMS),
    ("twenty rooms back to back, one chair in each slot", MAX_AGENDA_ITEMS),
    ("staggered by a minute, one chair in all", MAX_AGENDA_ITEMS),
])
def test_conflict_warnings_for_2000_items_make_a_bounded_number_of_comparisons(layout, warned):
    def times(n: int) -> tuple[int, int, str, list[str]]:
        return {
            "at once, each in its own room": (0, 60, f"Room {n}", []),
            "at once, all in one room": (0, 60, "Hall", []),
            "twenty rooms back to back, one chair in each slot": (
                30 * (n // 20), 30 * (n // 20) + 45, f"Room {n % 20}",
                ["Dr Lim"] if n % 20 == 0 else []),
            "staggered by a minute, one chair in all": (n, n + 90, f"Room {n}", ["Dr Lim"]),
        }[layout]

    items = []
    for n in range(MAX_AGENDA_ITEMS):
        start, end, room, chairs = times(n)
        items.append(item(n + 1, instant(start), instant(end), room, (chairs, [])))
    event = agenda(items)
    Instant.comparisons = 0
    warnings = services.agenda_warnings(event)
    assert len(warnings) == warned
    assert max(map(len, warnings.values()), default=0) <= MAX_WARNINGS_PER_ITEM + 1
    # O(n log n): sorting and bisecting, plus one check per warning kept.
    assert Instant.comparisons < 50 * MAX_AGENDA_ITEMS


def test_warnings_past_the_limit_per_item_end_with_a_note():
    items = [item(n, START, START + timedelta(hours=1), "Hall") for n in range(1, 26)]
    warnings = services.agenda_warnings(agenda(items))
    assert warnings[1] == [
        *(f"Room Hall is also used by “Item {n}” at the same time." for n in range(2, 22)),
        f"Only the first {MAX_WARNINGS_PER_ITEM} warnings are listed."]
    assert warnings[25] == [
        *(f"Room Hall is also used by “Item {n}” at the same time." for n in range(1, 21)),
        f"Only the first {MAX_WARNINGS_PER_ITEM} warnings are listed."]


def test_blank_rooms_and_names_never_clash():
    items = [item(1, START, START + timedelta(hours=1), " ", ([" "], [])),
             item(2, START, START + timedelta(hours=1), "", ([""], [" "]))]
    assert services.agenda_warnings(agenda(items)) == {}
