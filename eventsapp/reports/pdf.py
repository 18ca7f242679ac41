"""Shared PDF page templates and text for the reports: header with the group's name,
footer with "Page n of m", the badge fonts for every script, and bar charts.

User text reaches reportlab only through `markup()`, which XML-escapes it (reportlab
reads Paragraph text as markup: `<img src=...>` would open a local file) and wraps
each run in the font of the badge fallback chain that has its glyphs.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    LongTable,
    PageTemplate,
    Paragraph,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from ..badges.fonts import BOLD, FONT_FILES, REGULAR, register_fonts, split_runs
from ..badges.text import draw_block, fit_text
from .charts import Bar

MARGIN = 18 * mm
HEADER_SIZE = 9
BODY = REGULAR[0]
BODY_BOLD = BOLD[0]
COMPLEX_FONTS = frozenset(f.name for f in FONT_FILES if f.complex_script)

STYLES = {
    "title": ParagraphStyle("title", fontName=BODY_BOLD, fontSize=17, leading=22,
                            spaceAfter=6),
    "h2": ParagraphStyle("h2", fontName=BODY_BOLD, fontSize=13, leading=17, spaceBefore=10,
                         spaceAfter=4, keepWithNext=1),
    "h3": ParagraphStyle("h3", fontName=BODY_BOLD, fontSize=11, leading=14, spaceBefore=6,
                         spaceAfter=3, keepWithNext=1),
    "body": ParagraphStyle("body", fontName=BODY, fontSize=9.5, leading=13, spaceAfter=4),
    "cell": ParagraphStyle("cell", fontName=BODY, fontSize=9, leading=11.5),
    "cell_bold": ParagraphStyle("cell_bold", fontName=BODY_BOLD, fontSize=9, leading=11.5),
    "num": ParagraphStyle("num", fontName=BODY, fontSize=9, leading=11.5, alignment=TA_RIGHT),
    "num_head": ParagraphStyle("num_head", fontName=BODY_BOLD, fontSize=9, leading=11.5,
                               alignment=TA_RIGHT),
    "marking": ParagraphStyle("marking", fontName=BODY_BOLD, fontSize=11, leading=14,
                              textColor=colors.HexColor("#991b1b"), spaceAfter=6),
}

TABLE_STYLE = TableStyle([
    ("FONTNAME", (0, 0), (-1, -1), BODY),  # else the table sets (unembedded) Helvetica
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
    ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
    ("TOPPADDING", (0, 0), (-1, -1), 2),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
])


def markup(text: str | None, *, bold: bool = False) -> str:
    """Paragraph markup for user text: escaped, one <font> per script run, lines kept."""
    chain = BOLD if bold else REGULAR
    lines = (text or "").splitlines() or [""]
    return "<br/>".join(
        "".join(f'<font name="{font}">{escape(run)}</font>'
                for font, run in split_runs(line, chain))
        for line in lines
    )


def para(text: str | None, style: str = "body", *, bold: bool = False) -> Paragraph:
    bold = bold or style in ("title", "h2", "h3", "cell_bold", "num_head", "marking")
    return Paragraph(markup(text, bold=bold), _shaped(STYLES[style], text or "", bold))


def _shaped(style: ParagraphStyle, text: str, bold: bool) -> ParagraphStyle:
    """Shape (HarfBuzz) only text that needs it: Thai, or combining marks. Shaping Latin
    text would set ligatures, which copy and search out of the PDF as 'ﬃ'."""
    needs = any(font in COMPLEX_FONTS for font, _ in split_runs(text, BOLD if bold else REGULAR))
    needs = needs or any(unicodedata.combining(c) for c in unicodedata.normalize("NFC", text))
    return ParagraphStyle(f"{style.name}-shaped", parent=style) if needs else style


class Num(str):
    """Text that stands for a figure ("85%", "No limit"): set right-aligned, like numbers."""


def number(value: int | str) -> Paragraph:
    return Paragraph(escape(str(value)), STYLES["num"])


def table(header: Sequence[str], rows: Iterable[Sequence], widths: Sequence[float]) -> LongTable:
    """A table whose header repeats on every page; str cells become paragraphs, ints numbers.

    A column of figures (ints, `Num`) is right-aligned, its header too, so that every
    number stands under its own heading.
    """
    rows = [list(row) for row in rows]

    def is_figure(v) -> bool:
        return isinstance(v, int | Num) and not isinstance(v, bool)

    figures = {i for i in range(len(header))
               if rows and all(is_figure(row[i]) or row[i] in ("", None) for row in rows)
               and any(is_figure(row[i]) for row in rows)}

    def cell(v):
        if isinstance(v, Flowable):
            return v
        return number(v) if is_figure(v) else para("" if v is None else v, "cell")

    head = [para(h, "num_head" if i in figures else "cell_bold") for i, h in enumerate(header)]
    data = [head] + [[cell(v) for v in row] for row in rows]
    return LongTable(data, colWidths=list(widths), repeatRows=1, style=TABLE_STYLE, hAlign="LEFT")


def bar_chart(bars: Sequence[Bar], title: str, width: float = 170 * mm) -> Drawing:
    """A horizontal bar chart (reportlab graphics), first bar on top, counts at the bar ends."""
    row = 11
    plot_h = max(len(bars), 1) * row
    drawing = Drawing(width, plot_h + 34, initialFontName=BODY)
    chart = HorizontalBarChart()
    chart.x, chart.y = 130, 14
    chart.width, chart.height = width - 160, plot_h
    chart.data = [[b.value for b in reversed(bars)] or [0]]
    chart.categoryAxis.categoryNames = [b.label for b in reversed(bars)] or [""]
    chart.categoryAxis.labels.fontName = BODY
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.valueMin = 0
    top = max([b.value for b in bars] + [1])
    chart.valueAxis.valueMax = top
    chart.valueAxis.valueStep = max(1, -(-top // 5))
    chart.valueAxis.labels.fontName = BODY
    chart.valueAxis.labels.fontSize = 7.5
    chart.bars[0].fillColor = colors.HexColor("#1d4ed8")
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = BODY
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    drawing.add(String(0, plot_h + 24, title, fontName=BODY_BOLD, fontSize=10))
    return drawing


def render(story: list, *, title: str, group_name: str, subject: str = "",
           marking: str = "") -> bytes:
    """Lay out `story` on A4 pages carrying the group's name and page numbers; PDF bytes.

    `marking` (e.g. "INTERNAL") is printed at the top right of every page, so that a
    single page left on a photocopier still says what it is.
    """
    register_fonts()
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN + 6 * mm,
        bottomMargin=MARGIN, title=title, author=group_name, subject=subject,
        creator="eventsapp", lang="en",
        # Else the canvas starts in Helvetica, listed unembedded in every PDF.
        initialFontName=BODY,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")

    def header(canvas: Canvas, _doc) -> None:
        width = A4[0] - 2 * MARGIN
        if marking:
            canvas.saveState()
            canvas.setFont(BODY_BOLD, HEADER_SIZE + 1)
            canvas.setFillColor(colors.HexColor("#991b1b"))
            canvas.drawRightString(A4[0] - MARGIN, A4[1] - MARGIN + 4, marking)
            canvas.restoreState()
            width -= canvas.stringWidth(marking, BODY_BOLD, HEADER_SIZE + 1) + 6 * mm
        _draw_line(canvas, group_name, MARGIN, A4[1] - MARGIN, width)

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=header)])
    doc.build(story, canvasmaker=_numbered_canvas(title))
    return buf.getvalue()


def _draw_line(canvas: Canvas, text: str, x: float, y: float, width: float,
               align: str = "left") -> None:
    block = fit_text(text, REGULAR, width, HEADER_SIZE * 1.6, HEADER_SIZE, min_size=6,
                     max_lines=1)
    if block is not None:
        draw_block(canvas, block, x, y, width, HEADER_SIZE * 1.6, align=align)


def _numbered_canvas(title: str):
    class NumberedCanvas(Canvas):
        """Holds each page until the end, when the total page count is known."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for n, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont(BODY, 8)
                self.drawRightString(A4[0] - MARGIN, MARGIN - 10 * mm, f"Page {n} of {total}")
                _draw_line(self, title, MARGIN, MARGIN - 11 * mm, A4[0] - 2 * MARGIN - 30 * mm)
                super().showPage()
            super().save()

    return NumberedCanvas
