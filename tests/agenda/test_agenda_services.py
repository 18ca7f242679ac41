"""Agenda rules: validation, warnings, sequence bumps, delete vs cancel, publish and changelog."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from eventsapp.agenda import services
from eventsapp.agenda.grid import agenda_grid
from eventsapp.events.localtime import AmbiguousLocalTime, NonexistentLocalTime, localize
from eventsapp.extensions import db
from eventsapp.models import AgendaChange, AgendaItem, Event, PublishedAgendaItem

KL = ZoneInfo("Asia/Kuala_Lumpur")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2030, 3, day, hour, minute, tzinfo=KL)


def data(title="Session", start=(4, 9), end=(4, 10), **kw) -> services.ItemData:
    return services.ItemData(title=title, starts_at=at(*start), ends_at=at(*end), **kw)


@pytest.fixture
def event(app, make_event):
    event_id = make_event()
    with app.app_context():
        yield db.session.get(Event, event_id)


def test_add_item_stores_utc_and_has_no_warnings(event):
    item, warnings = services.add_item(event, data(room="Hall A"), user=None)
    assert warnings == []
    assert item.starts_at == datetime(2030, 3, 4, 1, 0, tzinfo=UTC)
    assert item.sequence == 0


def test_end_before_start_is_refused_and_nothing_is_written(event):
    with pytest.raises(services.AgendaError) as exc:
        services.add_item(event, data(start=(4, 10), end=(4, 9)), user=None)
    assert exc.value.errors == {"ends_at": ["The end must be after the start."]}
    assert db.session.scalars(select(AgendaItem)).all() == []


def test_too_long_title_and_unknown_kind_are_refused(event):
    with pytest.raises(services.AgendaError) as exc:
        services.add_item(event, data(title="x" * 10_000, kind="party"), user=None)
    assert exc.value.errors == {
        "title": ["The title must have at most 300 characters."],
        "kind": ["The kind must be one of: session, plenary, break, meal, side_meeting."]}


def test_room_double_booking_warns_both_items(event):
    first, _ = services.add_item(event, data("Opening", room="Hall A"), user=None)
    second, warnings = services.add_item(
        event, data("Side talk", start=(4, 9, 30), end=(4, 11), room="hall a "), user=None)
    assert warnings == ["Room hall a is also used by “Opening” at the same time."]
    assert services.agenda_warnings(event)[first.id] == [
        "Room Hall A is also used by “Side talk” at the same time."]


def test_back_to_back_items_in_one_room_do_not_conflict(event):
    services.add_item(event, data("A", room="Hall A"), user=None)
    _, warnings = services.add_item(event, data("B", start=(4, 10), end=(4, 11), room="Hall A"),
                                    user=None)
    assert warnings == []


def test_person_in_two_places_warns(event):
    services.add_item(event, data("A", room="1", chairs=["Dr Lim"]), user=None)
    _, warnings = services.add_item(event, data("B", room="2", speakers=["dr lim"]), user=None)
    assert warnings == ["Dr Lim is also in “A” at the same time."]


def test_item_outside_event_dates_warns(event):
    _, warnings = services.add_item(event, data(start=(6, 9), end=(6, 10)), user=None)
    assert warnings == ["This item is outside the event's dates."]


def test_cancelled_items_do_not_conflict(event):
    services.add_item(event, data("A", room="1", status="cancelled"), user=None)
    _, warnings = services.add_item(event, data("B", room="1"), user=None)
    assert warnings == []


def test_time_room_and_status_changes_raise_sequence_but_description_does_not(event):
    item, _ = services.add_item(event, data(), user=None)
    first_update = item.updated_at
    changed = services.ItemData.of(item)
    changed.description = "New words"
    services.update_item(item, changed, user=None)
    assert item.sequence == 0
    assert item.updated_at > first_update
    for field, value in (("room", "Hall B"), ("status", "cancelled"),
                         ("starts_at", at(4, 8, 30))):
        changed = services.ItemData.of(item)
        setattr(changed, field, value)
        services.update_item(item, changed, user=None)
    assert item.sequence == 3


def test_shift_keeps_the_length(event):
    item, _ = services.add_item(event, data(), user=None)
    services.shift_item(item, -15, user=None)
    assert (item.starts_at, item.ends_at) == (at(4, 8, 45), at(4, 9, 45))
    assert item.sequence == 1


def test_duplicate_goes_right_after_the_original(event):
    item, _ = services.add_item(event, data("Panel", room="1", speakers=["A"]), user=None)
    copy, warnings = services.duplicate_item(item, user=None)
    assert (copy.title, copy.starts_at, copy.ends_at, copy.speakers) == (
        "Panel", at(4, 10), at(4, 11), ["A"])
    assert warnings == []


def test_deleting_a_never_published_item_removes_it(event):
    item, _ = services.add_item(event, data(), user=None)
    assert services.delete_item(item, user=None) is True
    assert db.session.scalars(select(AgendaItem)).all() == []


def test_deleting_a_published_item_keeps_it_as_cancelled_in_the_next_release(event):
    item, _ = services.add_item(event, data("Keynote"), user=None)
    services.publish(event, user=None)
    assert services.delete_item(item, user=None) is False
    assert (item.status, item.sequence) == ("cancelled", 1)
    changes = services.publish(event, user=None)
    assert [(c.release, c.change, c.summary) for c in changes] == [
        (2, "cancelled", "Cancelled: Keynote")]
    published = db.session.get(PublishedAgendaItem, item.id)
    assert (published.status, published.sequence) == ("cancelled", 1)


def test_publish_records_added_and_moved_items(event):
    moved, _ = services.add_item(event, data("Moved"), user=None)
    services.publish(event, user=None)
    version = event.version
    services.shift_item(moved, 15, user=None)
    services.add_item(event, data("New", start=(5, 9), end=(5, 10)), user=None)
    assert services.unpublished_changes(event) == 2
    services.publish(event, user=None)
    rows = db.session.scalars(select(AgendaChange).where(AgendaChange.release == 2)
                              .order_by(AgendaChange.id)).all()
    assert sorted(r.summary for r in rows) == ["Added: New", "Moved: Moved"]
    assert event.version == version + 1
    assert services.unpublished_changes(event) == 0


def test_confirm_agenda_clears_provisional_and_touches_the_event(event):
    event.agenda_provisional = True
    db.session.commit()
    version = event.version
    services.confirm_agenda(event, user=None)
    assert (event.agenda_provisional, event.version) == (False, version + 1)


def test_nonexistent_local_time_is_refused():
    with pytest.raises(NonexistentLocalTime, match="does not exist in Europe/London"):
        localize(datetime(2026, 3, 29, 1, 30), "Europe/London")


def test_ambiguous_local_time_asks_which_and_fold_chooses():
    with pytest.raises(AmbiguousLocalTime) as exc:
        localize(datetime(2026, 10, 25, 1, 30), "Europe/London")
    assert exc.value.choices == [("0", "The first 01:30 (UTC+01:00)"),
                                 ("1", "The second 01:30 (UTC+00:00)")]
    assert localize(datetime(2026, 10, 25, 1, 30), "Europe/London", 0) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC)
    assert localize(datetime(2026, 10, 25, 1, 30), "Europe/London", 1) == datetime(
        2026, 10, 25, 1, 30, tzinfo=UTC)


def test_grid_places_items_in_their_local_rows(event):
    item, _ = services.add_item(event, data(start=(4, 9, 45), end=(4, 10, 30)), user=None)
    grid = agenda_grid(event.agenda_items, event.days, event.timezone)
    assert [d.day for d in grid] == [date(2030, 3, 4), date(2030, 3, 5)]
    rows = {r.at.strftime("%H:%M"): r.items for r in grid[0].rows}
    assert [(p.item, p.offset, p.steps) for p in rows["09:30"]] == [(item, 15, 9)]
    assert len(grid[0].rows) == 20  # 08:00 to 18:00 every 30 minutes


def test_grid_widens_for_early_items(event):
    services.add_item(event, data(start=(4, 6, 10), end=(4, 7)), user=None)
    grid = agenda_grid(event.agenda_items, event.days, event.timezone)
    assert grid[0].rows[0].at == datetime(2030, 3, 4, 6, 0)


def test_item_spanning_midnight_at_end_is_not_outside(event):
    _, warnings = services.add_item(event, data(start=(5, 22), end=(6, 0)), user=None)
    assert warnings == []


# --- the grid's geometry (issue 15: blocks span their duration) ------------------------------


class _Item:
    """Just what the grid reads of an agenda item."""

    _ids = iter(range(1, 10_000))

    def __init__(self, start: tuple[int, int], end: tuple[int, int], day: int = 4):
        tz = ZoneInfo("Asia/Kuala_Lumpur")
        self.id = next(self._ids)
        self.starts_at = datetime(2030, 3, day, *start, tzinfo=tz)
        self.ends_at = datetime(2030, 3, day, *end, tzinfo=tz)


def _placed(items):
    grid = agenda_grid(items, [date(2030, 3, 4)], "Asia/Kuala_Lumpur")
    return {p.item.id: (r.at.strftime("%H:%M"), p.offset, p.steps, p.lane, p.lanes)
            for r in grid[0].rows for p in r.items}


def test_grid_heights_are_proportional_to_the_minutes():
    coffee, plenary, lunch, odd = (_Item((10, 30), (10, 45)), _Item((9, 0), (10, 30)),
                                   _Item((12, 0), (13, 0)), _Item((14, 10), (14, 57)))
    placed = _placed([coffee, plenary, lunch, odd])
    assert placed[coffee.id] == ("10:30", 0, 3, 0, 1)  # 15 minutes: 3 steps of 5
    assert placed[plenary.id] == ("09:00", 0, 18, 0, 1)  # 90 minutes
    assert placed[lunch.id] == ("12:00", 0, 12, 0, 1)
    assert placed[odd.id] == ("14:00", 10, 10, 0, 1)  # 47 minutes round up to 50


def test_overlapping_items_share_the_width_in_lanes():
    a, b, c, later = (_Item((9, 0), (10, 0)), _Item((9, 30), (11, 0)), _Item((10, 0), (10, 30)),
                      _Item((11, 0), (12, 0)))
    placed = _placed([a, b, c, later])
    # a and b overlap; c starts when a ends and takes its lane; then the room is free again.
    assert [placed[i.id][3:] for i in (a, b, c, later)] == [(0, 2), (1, 2), (0, 2), (0, 1)]


def test_the_stylesheet_has_every_class_the_grid_uses():
    from pathlib import Path

    from eventsapp.agenda.grid import grid_css

    css = (Path(__file__).resolve().parents[2] / "static/css/agenda-grid.css").read_text()
    assert css == grid_css()  # regenerate: python -m eventsapp.agenda.grid > that file
    for name in ("off-29", "len-1", "len-288", "lane-0-1", "lane-5-6"):
        assert f".agenda-card.{name} {{" in css
