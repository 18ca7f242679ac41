"""The work plan's facts as a visitor sees them on the pages."""

import re

import pytest


def text_of(response) -> str:
    """Visible text of a page, whitespace folded."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def client(seeded):
    return seeded.test_client()


def test_home_lists_the_four_events_and_eight_deliverables(client):
    page = text_of(client.get("/"))
    for title in ("15th Counter-Terrorism Working Group Meeting",
                  "16th Counter-Terrorism Working Group Meeting",
                  "11th Secure Trade in APEC Region Conference (STAR XI)",
                  "Workshop on Soft Target Protection in an Aviation Security Context"):
        assert title in page
    for number in ("1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8"):
        assert f" {number} " in page
    assert "Optimising Human Potential towards a Future of Shared Prosperity" in page
    assert "Focus Area 7" in page and "Focus Area 8" in page and "Focus Area 4" not in page


def test_ctwg15_shows_dates_venue_and_agenda_in_kuala_lumpur_time(client):
    page = text_of(client.get("/events/ctwg-15"))
    assert "10–11 February 2020" in page
    assert "Putrajaya, Malaysia" in page
    assert "Asia/Kuala_Lumpur (UTC+08:00)" in page
    assert "Monday 10 February 2020" in page and "Tuesday 11 February 2020" in page
    assert "09:00 – 10:30 Charting the activities of the CTWG for 2020" in page
    assert "Provisional agenda." in page
    # Held in 2020: never "places left" or "Registration is open" after the event.
    assert "0 of 60 places taken; the event has taken place" in page
    assert "This event has already taken place; registration is closed." in page
    assert "places left" not in page and "Registration is open" not in page


def test_ctwg16_says_month_with_dates_to_be_confirmed_and_invents_no_day(client):
    page = text_of(client.get("/events/ctwg-16"))
    assert "August 2020, dates to be confirmed" in page
    assert "Pulau Pinang, Malaysia" in page
    assert re.search(r"\b\d{1,2} August 2020", page) is None


def test_star_xi_shows_theme_and_capacity_of_100(client):
    page = text_of(client.get("/events/star-xi"))
    assert "4 August 2020" in page and "Penang, Malaysia" in page
    assert ("“Counter Terrorism and Secure Trade Strategy: Balancing Trade Security and Trade "
            "Facilitation”") in page
    assert "0 of 100 places taken; the event has taken place" in page


def test_workshop_is_led_by_the_united_states_with_date_and_venue_to_be_confirmed(client):
    page = text_of(client.get("/events/aviation-soft-target-workshop"))
    assert "Led by United States" in page
    assert "Dates to be confirmed" in page and "Venue to be confirmed" in page
    assert "UN (UNOCT); GCTF; ICAO; OAS; IATA" in page


def test_unknown_event_is_a_404_page_in_the_site_layout(client):
    response = client.get("/events/no-such-event")
    assert response.status_code == 404
    assert "There is no event at this address." in text_of(response)
    assert 'href="/static/vendor/pico-2.1.1.min.css"' in response.get_data(as_text=True)


def test_pages_carry_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_pages_load_nothing_from_another_host(client):
    # Links people click (Google/Outlook subscribe) may go elsewhere; nothing may be *loaded*.
    for url in ("/", "/events/ctwg-15"):
        html = client.get(url).get_data(as_text=True)
        assert re.findall(r'(?:\bsrc=|<link[^>]*\bhref=)"(?:https?:)?//', html) == []
