"""The public summary and List of Participants: after the event only, no personal data."""

from __future__ import annotations

import pytest

from . import dataset
from .html import parse


def _all_names() -> list[str]:
    people = dataset.PEOPLE.values()
    return ([f"{p[0]} {p[1]}" for p in people] + [p[2] for p in people if p[2]]
            + [p[3] for p in people if p[3]])


def test_public_summary_gives_counts_and_agenda_without_personal_data(client, data):
    response = client.get(f"/events/{dataset.SLUG}/summary")
    html = response.data.decode()
    page = parse(html)
    assert response.status_code == 200
    assert page.figures == {"registered": "8", "attended": "6", "economies": "4",
                            "organisations": "2"}
    assert "<dt>Registered</dt>" in html and "<dt>Attended</dt>" in html
    assert "10–11 February 2020" in html
    assert "Putrajaya, Malaysia" in html
    assert f"<strong>Cancelled:</strong> <s>{dataset.CANCELLED_ITEM}</s>" in html
    assert "@" not in html
    assert [n for n in _all_names() if n in html] == []


def test_public_participants_lists_only_those_who_consented_without_email(client, data):
    response = client.get(f"/events/{dataset.SLUG}/participants")
    html = response.data.decode()
    page = parse(html)
    names = iter(page.by_class["lop-name"])
    assert page.by_class["h2"] == [h for h, _ in dataset.PUBLIC_LOP_ORDER]
    assert [(h, [next(names) for _ in people]) for h, people in dataset.PUBLIC_LOP_ORDER] == (
        dataset.PUBLIC_LOP_ORDER)
    assert "@" not in html
    assert [n for n in dataset.NOT_CONSENTING if n in html] == []
    assert "Listed publicly" not in html


@pytest.mark.parametrize("path", ["summary", "participants"])
def test_public_reports_are_404_before_the_event_ends(client, make_event, path):
    make_event(slug="future-meeting")  # 4–5 March 2030
    assert client.get(f"/events/future-meeting/{path}").status_code == 404


@pytest.mark.parametrize("status", ["draft", "cancelled"])
def test_public_reports_are_404_for_events_not_held(client, make_event, status):
    from datetime import date

    make_event(slug="gone", status=status, start_date=date(2020, 1, 6), end_date=date(2020, 1, 6))
    assert client.get("/events/gone/summary").status_code == 404
    assert client.get("/events/gone/participants").status_code == 404


def test_event_page_links_to_the_summary_once_the_event_has_ended(client, seeded, make_event):
    make_event(slug="future-meeting")
    html = client.get(f"/events/{dataset.SLUG}").data.decode()
    assert f'<a href="/events/{dataset.SLUG}/summary">Summary of the event</a>' in html
    assert "Summary of the event" not in client.get("/events/future-meeting").data.decode()


def test_an_event_that_never_got_dates_has_no_public_summary_or_link(client, seeded):
    # ctwg-16 was planned for "August 2020": that month is past, but it was never held.
    assert client.get("/events/ctwg-16/summary").status_code == 404
    assert client.get("/events/ctwg-16/participants").status_code == 404
    assert "Summary of the event" not in client.get("/events/ctwg-16").data.decode()
