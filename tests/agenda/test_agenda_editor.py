"""The agenda editor pages: forms in the event's local time, moves, publish to the public page."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import AgendaItem

ITEM = {"title": "Opening", "kind": "plenary", "day": "2030-03-04", "start": "09:00",
        "end": "10:00", "room": "Hall A", "chairs": "Dr Lim", "speakers": "A\nB", "description": ""}


@pytest.fixture
def slug(make_event):
    make_event(slug="e")
    return "e"


def _item(app):
    with app.app_context():
        return db.session.scalar(select(AgendaItem))


def test_add_item_in_local_time(app, admin_client, slug):
    response = admin_client.post("/admin/events/e/agenda/new", data=ITEM)
    assert response.status_code == 303
    item = _item(app)
    assert (item.starts_at, item.chairs, item.speakers) == (
        datetime(2030, 3, 4, 1, 0, tzinfo=UTC), ["Dr Lim"], ["A", "B"])
    page = admin_client.get("/admin/events/e/agenda").text
    assert "09:00–10:00" in page


def test_end_before_start_is_on_the_next_day_within_the_24_hour_limit(app, admin_client, slug):
    response = admin_client.post("/admin/events/e/agenda/new", data={**ITEM, "end": "08:00"})
    assert response.status_code == 303
    item = _item(app)
    assert (item.starts_at, item.ends_at) == (datetime(2030, 3, 4, 1, 0, tzinfo=UTC),
                                              datetime(2030, 3, 5, 0, 0, tzinfo=UTC))


def test_impossible_date_rerenders_with_error(admin_client, slug):
    response = admin_client.post("/admin/events/e/agenda/new", data={**ITEM, "day": "2030-02-30"})
    assert response.status_code == 422
    assert "Not a valid date value." in response.text


def test_dst_gap_time_is_refused(admin_client, make_event):
    make_event(slug="lon", timezone="Europe/London")
    response = admin_client.post("/admin/events/lon/agenda/new",
                                 data={**ITEM, "day": "2026-03-29", "start": "01:30",
                                       "end": "03:00"})
    assert response.status_code == 422
    assert "does not exist in Europe/London" in response.text


def test_script_in_fields_is_shown_as_text(admin_client, slug):
    admin_client.post("/admin/events/e/agenda/new", data={
        **ITEM, "title": "<script>alert(1)</script>", "room": "\"><img src=x onerror=alert(1)>"})
    page = admin_client.get("/admin/events/e/agenda").text
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page


def test_earlier_later_buttons_and_drop_move(app, admin_client, slug):
    admin_client.post("/admin/events/e/agenda/new", data=ITEM)
    item_id = _item(app).id
    admin_client.post(f"/admin/events/e/agenda/{item_id}/shift", data={"minutes": "15"})
    assert _item(app).starts_at == datetime(2030, 3, 4, 1, 15, tzinfo=UTC)
    admin_client.post("/admin/events/e/agenda/move",
                      data={"item_id": item_id, "day": "2030-03-05", "time": "14:00"})
    item = _item(app)
    assert (item.starts_at, item.ends_at, item.sequence) == (
        datetime(2030, 3, 5, 6, 0, tzinfo=UTC), datetime(2030, 3, 5, 7, 0, tzinfo=UTC), 2)


def test_shift_by_other_amounts_is_refused(app, admin_client, slug):
    admin_client.post("/admin/events/e/agenda/new", data=ITEM)
    item_id = _item(app).id
    admin_client.post(f"/admin/events/e/agenda/{item_id}/shift", data={"minutes": "6000"})
    assert _item(app).sequence == 0


def test_publish_shows_item_on_public_page_in_event_time(app, admin_client, client, slug):
    admin_client.post("/admin/events/e/agenda/new", data=ITEM)
    assert "The agenda has not been published yet." in client.get("/events/e").text
    admin_client.post("/admin/events/e/agenda/publish")
    page = client.get("/events/e").text
    assert "Opening" in page
    assert "09:00" in page


def test_delete_after_publish_shows_cancelled_publicly(app, admin_client, client, slug):
    admin_client.post("/admin/events/e/agenda/new", data=ITEM)
    admin_client.post("/admin/events/e/agenda/publish")
    item_id = _item(app).id
    admin_client.post(f"/admin/events/e/agenda/{item_id}/delete")
    admin_client.post("/admin/events/e/agenda/publish")
    page = client.get("/events/e").text
    assert "<strong>Cancelled:</strong> <s>Opening</s>" in page
    assert "Cancelled: Opening" in page  # the changelog


def test_edit_form_shows_local_values(app, admin_client, slug):
    admin_client.post("/admin/events/e/agenda/new", data=ITEM)
    page = admin_client.get(f"/admin/events/e/agenda/{_item(app).id}/edit").text
    assert 'value="09:00"' in page
    assert 'value="2030-03-04"' in page


# --- moves keep the place and say so next to the item (issue 15) -----------------------------


def _card(page: str, item_id: int) -> str:
    import re

    return re.search(rf'<li class="agenda-card [^"]*" id="item-{item_id}".*?</details>', page,
                     re.S).group(0)


@pytest.mark.parametrize(("minutes", "via", "focused"), [
    ("15", "later", 'aria-label="Move Opening 15 minutes later" data-refocus'),
    ("-15", "earlier", 'aria-label="Move Opening 15 minutes earlier" data-refocus'),
])
def test_shift_comes_back_to_the_item_with_its_menu_open_and_the_button_focused(
        app, admin_client, slug, minutes, via, focused):
    admin_client.post("/admin/events/e/agenda/new", data=ITEM)
    item_id = _item(app).id

    response = admin_client.post(f"/admin/events/e/agenda/{item_id}/shift",
                                 data={"minutes": minutes})

    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"/admin/events/e/agenda?moved={item_id}&via={via}#item-{item_id}")
    card = _card(admin_client.get(response.headers["Location"]).text, item_id)
    assert '<details class="card-menu" open>' in card
    assert focused in card
    new = "09:15–10:15" if via == "later" else "08:45–09:45"
    assert (f'<p class="card-notice" role="status">Moved: “Opening” is now '
            f'Monday 4 March 2030, {new}.</p>') in card


def test_move_to_a_typed_time_keeps_the_length_and_focuses_the_field(app, admin_client, slug):
    admin_client.post("/admin/events/e/agenda/new", data=ITEM)
    item_id = _item(app).id

    response = admin_client.post("/admin/events/e/agenda/move", data={
        "item_id": item_id, "day": "2030-03-05", "time": "13:40", "via": "moveto"})

    item = _item(app)
    assert (item.starts_at, item.ends_at) == (datetime(2030, 3, 5, 5, 40, tzinfo=UTC),
                                              datetime(2030, 3, 5, 6, 40, tzinfo=UTC))
    assert response.headers["Location"] == (
        f"/admin/events/e/agenda?moved={item_id}&via=moveto#item-{item_id}")
    card = _card(admin_client.get(response.headers["Location"]).text, item_id)
    assert (f'<input type="time" id="moveto-{item_id}" name="time" required step="60" '
            'value="13:40" data-refocus>') in card
    assert "is now Tuesday 5 March 2030, 13:40–14:40." in card


def test_a_reload_without_a_move_shows_no_notice_and_every_menu_closed(app, admin_client, slug):
    admin_client.post("/admin/events/e/agenda/new", data=ITEM)
    page = admin_client.get("/admin/events/e/agenda").text
    assert "card-notice" not in page and " open>" not in page and "data-refocus" not in page


def test_move_to_without_a_time_is_refused_and_comes_back_to_the_item(app, admin_client, slug):
    admin_client.post("/admin/events/e/agenda/new", data=ITEM)
    item_id = _item(app).id
    response = admin_client.post("/admin/events/e/agenda/move", data={
        "item_id": item_id, "day": "2030-03-04", "time": "", "via": "moveto"})
    assert response.headers["Location"] == f"/admin/events/e/agenda#item-{item_id}"
    assert _item(app).sequence == 0
    assert ("That move was not understood: give a day and a start time." in
            admin_client.get(response.headers["Location"]).text)


def test_each_card_is_as_tall_as_its_item_lasts(app, admin_client, slug):
    admin_client.post("/admin/events/e/agenda/new", data=ITEM)
    admin_client.post("/admin/events/e/agenda/new", data={
        **ITEM, "title": "Coffee", "kind": "break", "start": "10:00", "end": "10:15"})
    page = admin_client.get("/admin/events/e/agenda").text
    assert 'class="agenda-card off-0 len-12 lane-0-1 kind-plenary"' in page  # 60 minutes
    assert 'class="agenda-card off-0 len-3 lane-0-1 kind-break"' in page  # 15 minutes
