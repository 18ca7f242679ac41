"""The year's report to the SCE: totals, each deliverable, and organisers' edits."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import AuditEntry, Deliverable

from .conftest import pdf_text
from .html import parse

# ctwg-15 (the data set) and star-xi (one Canadian) have been held. ctwg-16 was planned for
# "August 2020" but never got dates, so it is not "held"; the aviation workshop has no dates.
TOTALS = {"events": "2", "registered": "9", "attended": "6", "economies": "5"}


def _deliverable(number: str) -> Deliverable:
    return db.session.scalar(select(Deliverable).where(Deliverable.number == number))


def test_year_report_totals_and_deliverables_in_html(client, data, organiser):
    html = client.get("/admin/reports/2020").data.decode()
    page = parse(html)
    assert page.figures == TOTALS
    assert [f"1.{n}" in html for n in range(1, 9)] == [True] * 8
    assert page.tables["d-1.1-economies"] == [
        ["Economy or organisation", "Registered", "Attended"],
        ["Australia", "3", "2"], ["People's Republic of China", "1", "1"],
        ["Thailand", "1", "1"], ["Viet Nam", "1", "1"], ["ICAO", "1", "0"], ["UNOCT", "1", "1"]]
    # STAR XI: nobody was checked in, so no "Attended" column and no claim that anyone came.
    assert page.tables["d-1.6-economies"] == [["Economy or organisation", "Registered"],
                                              ["Canada", "1"]]
    assert ("By sector</dt><dd>Government 5, International organisation 2, Academia 1</dd>"
            in html)
    assert "Attended</dt><dd>6</dd>" in html
    assert "Attended</dt><dd>no check-in recorded</dd>" in html
    assert "Checked in by day</dt><dd>10 February 2020: 5; 11 February 2020: 3</dd>" in html
    assert "UNOCT, UNODC" in html


def test_an_undated_event_whose_month_has_passed_is_not_held(client, data, organiser):
    html = client.get("/admin/reports/2020").data.decode()
    text = unicodedata.normalize("NFKC", pdf_text(client.get("/admin/reports/2020.pdf").data))
    assert ("16th Counter-Terrorism Working Group Meeting: August 2020, dates to be confirmed, "
            "Pulau Pinang, Malaysia (dates never set)") in html
    assert "(dates never set)" in " ".join(text.split())
    assert "(held)" not in html.split('id="d-1.2"', 1)[1].split('id="d-1.3"', 1)[0]
    assert client.get("/events/ctwg-16/summary").status_code == 404


def test_year_report_pdf_agrees_with_the_page(client, data, organiser):
    text = unicodedata.normalize("NFKC", pdf_text(client.get("/admin/reports/2020.pdf").data))
    lines = text.splitlines()
    assert "Events held Registered Attended Economies represented" in lines
    assert "2 9 6 5" in lines
    assert ("Registered: 8 from 4 economies and 2 other organisations. Attended: 6." in lines)
    assert "Economy or organisation Registered Attended" in lines
    for row in ("Australia 3 2", "People's Republic of China 1 1", "Thailand 1 1",
                "Viet Nam 1 1", "ICAO 1 0", "UNOCT 1 1", "Canada 1"):
        assert row in lines, row
    assert "Registered: 1 from 1 economy. Attended: no check-in recorded." in lines
    assert "Checked in by day: 10 February 2020: 5; 11 February 2020: 3." in lines
    assert "articipant" not in text


def test_year_report_pdf_totals_stand_under_their_headers(client, data, organiser, tmp_path):
    from .test_event_reports import _under, _words

    words = _words(client.get("/admin/reports/2020.pdf").data, tmp_path)
    gaps = _under(words, ["Events held", "Registered", "Attended", "Economies represented"],
                  ["2", "9", "6", "5"])
    assert max(gap for _, _, gap in gaps) < 1.0


def test_organiser_edits_a_deliverable_and_the_report_shows_it(client, app, data, organiser):
    narrative = "Held as planned.\n<b>Alice</b> & <img src=\"/etc/passwd\"/> chaired."
    response = client.post("/admin/reports/2020/deliverables/1.1",
                           data={"status": "done", "narrative": narrative,
                                 "focus_areas": ["1", "8"]})
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/reports/2020#d-1.1"
    with app.app_context():
        d = _deliverable("1.1")
        assert (d.status, d.narrative, d.focus_area_numbers) == ("done", narrative, [1, 8])
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "Deliverable"))
        assert (entry.action, entry.user_id) == ("update", organiser)
    html = client.get("/admin/reports/2020").data.decode()
    assert ("<p>&lt;b&gt;Alice&lt;/b&gt; &amp; &lt;img src=&#34;/etc/passwd&#34;/&gt; chaired.</p>"
            in html)
    text = pdf_text(client.get("/admin/reports/2020.pdf").data)
    assert "Status: Done" in text
    assert "Focus areas: 1, 8" in text
    assert '<b>Alice</b> & <img src="/etc/passwd"/> chaired.' in text


@pytest.mark.parametrize("form", [
    {"status": "done", "narrative": "x", "focus_areas": ["4"]},  # not a focus area of 2020
    {"status": "finished", "narrative": "x"},
    {"status": "done", "narrative": "x" * 5001},
    {"status": "done", "narrative": "x", "focus_areas": ["one"]},
    {"status": "done", "narrative": "Held as \u202eplanned."},  # organisers' text rule
    {"status": "done", "narrative": "Held\x1b[31m as planned."},
])
def test_bad_deliverable_input_is_400_and_changes_nothing(client, app, data, organiser, form):
    response = client.post("/admin/reports/2020/deliverables/1.1", data=form)
    assert response.status_code == 400
    assert b"The entry was not saved" in response.data
    with app.app_context():
        d = _deliverable("1.1")
        assert (d.status, d.narrative, d.focus_area_numbers) == ("planned", "", [])


def test_unknown_year_and_deliverable_are_404(client, data, organiser):
    assert client.get("/admin/reports/1999").status_code == 404
    assert client.get("/admin/reports/1999.pdf").status_code == 404
    assert client.get("/admin/reports/2020/deliverables/9.9").status_code == 404


def test_year_report_is_for_organisers_only(client, app, data):
    from . import dataset
    from .conftest import sign_in

    assert client.get("/admin/reports/2020").status_code in (302, 303)
    with app.app_context():
        sign_in(client, dataset.make_user(role="checkin", email="door@example.org"))
    assert client.get("/admin/reports/2020.pdf").status_code == 403
    assert client.post("/admin/reports/2020/deliverables/1.1",
                       data={"status": "done"}).status_code == 403


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_deliverable_form_without_csrf_token_is_400(self, client, app, data, organiser):
        response = client.post("/admin/reports/2020/deliverables/1.1",
                               data={"status": "done", "narrative": "x"})
        assert response.status_code == 400
        with app.app_context():
            assert _deliverable("1.1").status == "planned"

    def test_deliverable_form_carries_a_csrf_token(self, client, data, organiser):
        html = client.get("/admin/reports/2020/deliverables/1.1").data.decode()
        assert 'name="csrf_token"' in html


@pytest.fixture
def star_xi_organiser(app, client, data):
    """An organiser limited to STAR XI (one Canadian registered, nobody checked in)."""
    from eventsapp.models import Event

    from . import dataset
    from .conftest import sign_in

    with app.app_context():
        star = db.session.scalar(select(Event).where(Event.slug == "star-xi"))
        user = dataset.make_user(email="star@example.org", events=[star])
        sign_in(client, user)
        return sorted(d.number for d in db.session.scalars(
            select(Deliverable).where(Deliverable.event_id == star.id)))


def test_organiser_limited_to_one_event_sees_the_year_report_of_that_event_only(
        client, star_xi_organiser):
    response = client.get("/admin/reports/2020")
    assert response.status_code == 200
    html = response.data.decode()
    page = parse(html)
    assert page.figures == {"events": "1", "registered": "1", "attended": "0",
                            "economies": "1"}
    shown = sorted(n for n in (f"1.{i}" for i in range(1, 9)) if f'id="d-{n}"' in html)
    assert shown == star_xi_organiser
    assert "Australia" not in html and "ctwg-15" not in html
    assert "15th Counter-Terrorism Working Group Meeting" not in html
    assert ("Your account is limited to some events, so this report covers only "
            in html)
    assert ("Edit status, narrative and focus areas of 1.1" not in html)
    assert all(client.get(f"/admin/reports/2020/deliverables/{n}").status_code == 200
               for n in shown)


def test_limited_organisers_year_report_pdf_leaks_no_other_event(client, star_xi_organiser):
    response = client.get("/admin/reports/2020.pdf")
    assert response.status_code == 200
    text = " ".join(unicodedata.normalize("NFKC", pdf_text(response.data)).split())
    assert "Limited to the events of the reader's account:" in text
    assert "Events held Registered Attended Economies represented 1 1 0 1" in text
    for other in ("Australia", "Thailand", "UNOCT", "Viet Nam"):
        assert other not in text
