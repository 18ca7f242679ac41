"""Subscribe links on the pages, the cache shared through Redis, and the pages in Chromium."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from datetime import UTC, datetime

import pytest
from axe_playwright_python.sync_playwright import Axe

from eventsapp import create_app
from eventsapp.agenda.services import publish_agenda
from eventsapp.calendar.http import FeedCache
from eventsapp.extensions import db
from eventsapp.models import AgendaItem, Event

AXE_OPTIONS = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}


def test_event_page_offers_every_subscribe_link_and_per_item_downloads(app, client,
                                                                       make_event):
    event_id = make_event(slug="kl", title="KL meeting")
    with app.app_context():
        ev = db.session.get(Event, event_id)
        db.session.add_all([
            AgendaItem(event=ev, title="Opening", starts_at=datetime(2030, 3, 4, 1, tzinfo=UTC),
                       ends_at=datetime(2030, 3, 4, 2, tzinfo=UTC)),
            AgendaItem(event=ev, title="Dropped", status="cancelled",
                       starts_at=datetime(2030, 3, 4, 3, tzinfo=UTC),
                       ends_at=datetime(2030, 3, 4, 4, tzinfo=UTC)),
        ])
        db.session.flush()
        publish_agenda(ev)
        db.session.commit()

    html = client.get("/events/kl").get_data(as_text=True)

    assert 'href="webcal://events.test/events/kl/calendar.ics"' in html
    assert ('href="https://calendar.google.com/calendar/r?cid='
            'webcal%3A%2F%2Fevents.test%2Fevents%2Fkl%2Fcalendar.ics"') in html
    assert ('href="https://outlook.live.com/calendar/0/addfromweb?url='
            'http%3A%2F%2Fevents.test%2Fevents%2Fkl%2Fcalendar.ics&amp;name=KL%20meeting"') in html
    assert 'value="http://events.test/events/kl/calendar.ics"' in html
    assert "Google Calendar: within about 8 to 24 hours" in html
    assert html.count('href="/events/kl/agenda/') == 1
    assert ('<a href="/events/kl/agenda/1.ics">Add to calendar'
            '<span class="visually-hidden">: Opening</span></a>') in html


def test_event_with_only_a_month_offers_its_feed_as_a_tentative_month(client, make_event):
    make_event(slug="tbc", start_date=None, end_date=None, tentative_month="2030-08")

    html = client.get("/events/tbc").get_data(as_text=True)

    assert ("Until then calendar feeds show the event as a tentative entry for the whole "
            "month.") in html
    assert 'href="webcal://events.test/events/tbc/calendar.ics"' in html


def test_event_without_days_or_month_says_it_is_not_in_feeds(client, make_event):
    make_event(slug="tbc", start_date=None, end_date=None, tentative_month=None)

    html = client.get("/events/tbc").get_data(as_text=True)

    assert "The event will appear in calendar feeds once its dates are set." in html
    assert "webcal://" not in html


def test_home_page_offers_the_year_feed(seeded, client):
    html = client.get("/").get_data(as_text=True)

    assert 'href="webcal://events.test/calendar.ics"' in html
    assert 'href="/calendar.ics?agenda=1"' in html
    assert ("An event whose days are still to be confirmed appears as a tentative entry for "
            "its month.") in html


# --- the cache across processes --------------------------------------------------------------


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(tmp_path)],
                            stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_body_built_by_one_process_serves_another_through_redis(redis_url):
    builds: list[str] = []

    def build() -> bytes:
        builds.append("built")
        return b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        first = FeedCache(redis_url).get_or_build("k1", build)
        second = FeedCache(redis_url).get_or_build("k1", build)  # a fresh process's cache

    assert first == second == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    assert builds == ["built"]


def test_feeds_still_work_when_redis_is_down():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        body = FeedCache("redis://127.0.0.1:1/0").get_or_build("k", lambda: b"x")

    assert body == b"x"


def test_process_cache_keeps_only_the_newest_entries():
    cache = FeedCache(max_bytes=2)
    for key in ("a", "b", "c"):
        cache.get_or_build(key, lambda k=key: k.encode())

    assert cache.get_or_build("a", lambda: b"A") == b"A"  # evicted, so built again
    assert cache.get_or_build("c", lambda: b"C") == b"c"


# --- real browser ----------------------------------------------------------------------------


@pytest.mark.parametrize("width", [1280, 390])
def test_subscribe_boxes_pass_axe(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server + "/events/star-xi")
    page.get_by_text("Subscribe in your calendar app").click()
    assert page.get_by_label("Or copy the calendar address into your app").input_value() == (
        live_server + "/events/star-xi/calendar.ics")
    result = Axe().run(page, options=AXE_OPTIONS)
    assert result.violations_count == 0, result.generate_report()

    page.goto(live_server + "/")
    page.get_by_text("Subscribe in your calendar app").click()
    result = Axe().run(page, options=AXE_OPTIONS)
    assert result.violations_count == 0, result.generate_report()
