"""Error pages reached by staff under /admin/ lead back to their work, not to the public list."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from tests.checkin.factories import login, make_registration, make_user


@pytest.fixture
def past_event(make_event):
    return make_event(slug="ctwg-x", title="Two-day meeting", start_date=date(2020, 2, 10),
                      end_date=date(2020, 2, 11))


def way_back(page: str) -> list[tuple[str, str]]:
    article = re.search(r'<article class="error-page">(.*?)</article>', page, re.S).group(1)
    return [(href, html.unescape(text))
            for href, text in re.findall(r'<a href="([^"]*)">(.*?)</a>', article)]


def test_organisers_404_under_admin_offers_the_dashboard(app, client, past_event):
    login(app, client, make_user(app, "organiser"))
    response = client.get("/admin/events/ctwg-x/registrations/999999")
    assert response.status_code == 404
    assert way_back(response.text) == [("/admin/", "Go to the dashboard")]
    assert "There is no such registration for this event." in response.text


def test_organisers_error_on_a_registration_action_offers_the_registration_first(
        app, client, past_event):
    reg_id, _, _ = make_registration(app, past_event)
    login(app, client, make_user(app, "organiser"))
    response = client.get(f"/admin/events/ctwg-x/registrations/{reg_id}/checkin")  # POST only
    assert response.status_code == 405
    assert way_back(response.text) == [
        (f"/admin/events/ctwg-x/registrations/{reg_id}", "Back to the registration"),
        ("/admin/", "Go to the dashboard")]


def test_check_in_staffs_403_under_admin_offers_their_desks(app, client):
    login(app, client, make_user(app, "checkin"))
    response = client.get("/admin/")
    assert response.status_code == 403
    assert way_back(response.text) == [("/account", "Go to your check-in desks")]


def test_public_404_still_offers_the_list_of_events(app, client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert way_back(response.text) == [("/", "Go to the list of events")]
