"""Render badges to PDF: data in, PDF bytes (or a written stream) out.

Badges are consumed lazily from the iterable and drawn page by page.  reportlab
keeps every page object until ``save()``; to keep memory proportional to the
*compressed* output, each page's content stream is deflated as soon as the page
is finished (see ``_compress_finished_page``).
"""

from __future__ import annotations

import functools
import io
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

import segno
from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

from .fonts import BOLD, REGULAR, clean_text, register_fonts
from .layouts import SheetLayout, get_layout
from .model import BadgeData
from .text import draw_block, fit_text


@dataclass(frozen=True)
class CategoryStyle:
    label: str
    fill: str  # band colour
    text: str  # label colour; WCAG contrast >= 4.5 in colour and in greyscale


CATEGORY_STYLES: dict[str, CategoryStyle] = {
    "delegate": CategoryStyle("DELEGATE", "#0B4F8A", "#FFFFFF"),
    "head_of_delegation": CategoryStyle("HEAD OF DELEGATION", "#8B1A1A", "#FFFFFF"),
    "speaker": CategoryStyle("SPEAKER", "#1E6B34", "#FFFFFF"),
    "observer": CategoryStyle("OBSERVER", "#F5C400", "#000000"),
    "secretariat": CategoryStyle("SECRETARIAT", "#333333", "#FFFFFF"),
    "media": CategoryStyle("MEDIA", "#F08C1E", "#000000"),
}
_COLOURS = {h: HexColor(h) for s in CATEGORY_STYLES.values() for h in (s.fill, s.text)}

QR_QUIET_MODULES = 4
_DARK_RUN = re.compile(rb"\x01+")


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class BadgeFrame:
    """Where each element goes, relative to the badge's bottom-left corner."""

    width: float
    height: float
    title: Box
    dates: Box
    name: Box
    native: Box
    affiliation: Box
    affiliation_alone: Box  # when there is no native-script name
    qr: Box  # includes the quiet zone
    band: Box
    title_max: float
    dates_max: float
    name_max: float
    native_max: float
    affiliation_max: float
    band_max: float


#: Text never comes closer than this to the badge's edge (its cut), so a cut a few
#: millimetres off, or a holder's rim, takes no letter.
TEXT_MARGIN = 4.5 * mm
#: The economy (or organisation) must be legible at conversation distance, 1.5 m:
#: 14 pt letters are about 3.5 mm tall in capitals, 1/400 of the distance.
AFFILIATION_MIN = 14.0
#: A long organisation name may go smaller (an economy never needs to: tested).
AFFILIATION_FLOOR = 8.0


def badge_frame(width: float, height: float) -> BadgeFrame:
    """Proportional badge geometry; works for portrait A6 and landscape 4 × 3 in.

    `width` × `height` is the printable part of the badge (points); every text box is
    at least `TEXT_MARGIN` inside it.
    """
    scale = min(width, height) / (105 * mm)
    margin = max(0.045 * width, TEXT_MARGIN)
    gap = 5 * scale
    ext = 1.069 + 0.45  # tallest ascent + deepest descent in the font chains
    top_clear = 0.09 * height  # lanyard slot / clip
    band_h = 0.11 * height
    title_max, dates_max = 13 * scale, 10 * scale
    title_h, dates_h = ext * title_max, ext * dates_max
    inner_w = width - 2 * margin
    title = Box(margin, height - top_clear - title_h, inner_w, title_h)
    dates = Box(margin, title.y - dates_h, inner_w, dates_h)
    q = min(max(0.3 * min(width, height), 30 * mm), 40 * mm)
    qr = Box(width - margin - q, band_h + gap, q, q)
    left = Box(margin, qr.y, qr.x - gap - margin, q)
    name_top = dates.y - gap
    name = Box(margin, qr.y + q + gap, inner_w, name_top - (qr.y + q + gap))
    native_h = 0.4 * left.h
    native = Box(left.x, left.y + left.h - native_h, left.w, native_h)
    affiliation = Box(left.x, left.y, left.w, left.h - native_h)
    name_max = min(40 * scale, name.h / ext)
    return BadgeFrame(
        width=width, height=height, title=title, dates=dates, name=name, native=native,
        affiliation=affiliation, affiliation_alone=left, qr=qr,
        band=Box(0, 0, width, band_h),
        title_max=title_max, dates_max=dates_max, name_max=name_max,
        native_max=min(0.55 * name_max, native_h / ext),
        affiliation_max=max(18 * scale, AFFILIATION_MIN),
        band_max=0.5 * band_h,
    )


def qr_rects(payload: str) -> tuple[int, list[tuple[int, int, int, int]]]:
    """QR modules as merged rectangles (col, row, width, height) in module units.

    Fixed mask 0 (segno's automatic mask evaluation is ~5× slower); error level M.
    Horizontal runs of dark modules are merged, then identical runs in
    consecutive rows, to keep the path (and the PDF) small.
    """
    qr = segno.make(payload, error="m", mask=0, micro=False)
    matrix = qr.matrix  # rows of 0/1 bytes
    n = len(matrix)
    find = _DARK_RUN.finditer
    rects: list[tuple[int, int, int, int]] = []
    open_runs: dict[tuple[int, int], int] = {}  # (col, len) -> first row
    for r, row in enumerate(matrix):
        runs = {(m.start(), m.end() - m.start()) for m in find(row)}
        if open_runs:
            for key in [k for k in open_runs if k not in runs]:
                r0 = open_runs.pop(key)
                rects.append((key[0], r0, key[1], r - r0))
        for key in runs:
            if key not in open_runs:
                open_runs[key] = r
    rects.extend((key[0], r0, key[1], n - r0) for key, r0 in open_runs.items())
    return n, rects


def draw_qr(c: Canvas, payload: str, box: Box) -> None:
    """Draw the QR code as ONE filled vector path.

    The path operators are written directly (integers in module units under one
    ``cm`` transform): reportlab's pure-Python number formatting would otherwise
    dominate the cost of a badge.
    """
    n, rects = qr_rects(payload)
    module = box.w / (n + 2 * QR_QUIET_MODULES)
    c.saveState()
    # Module (col, row) -> page: origin at the symbol's top-left, y pointing down.
    c.transform(module, 0, 0, -module, box.x + QR_QUIET_MODULES * module,
                box.y + box.h - QR_QUIET_MODULES * module)
    c.setFillGray(0)
    c.addLiteral(" ".join([f"{x} {y} {w} {h} re" for x, y, w, h in rects]) + " f")
    c.restoreState()


def draw_badge(
    c: Canvas, badge: BadgeData, x: float, y: float, f: BadgeFrame, fit=fit_text,
) -> None:
    """Draw one badge with its bottom-left corner at (x, y).

    ``fit`` may be a memoised ``fit_text`` (titles, dates, labels repeat).
    """
    style = CATEGORY_STYLES[badge.category]
    # Category band, coloured and labelled.
    c.setFillColor(_COLOURS[style.fill])
    c.rect(x + f.band.x, y + f.band.y, f.band.w, f.band.h, stroke=0, fill=1)
    label = fit(style.label, BOLD, f.band.w - 2 * f.name.x, f.band.h, f.band_max,
                     max_lines=1)
    c.setFillColor(_COLOURS[style.text])
    if label:
        draw_block(c, label, x + f.name.x, y + f.band.y, f.band.w - 2 * f.name.x, f.band.h)
    c.setFillGray(0)

    draw_qr(c, badge.checkin_payload, Box(x + f.qr.x, y + f.qr.y, f.qr.w, f.qr.h))

    def put(text, chain, box: Box, max_size, max_lines, align="center", **kw):
        block = fit(text, chain, box.w, box.h, max_size, max_lines=max_lines, **kw)
        if block:
            draw_block(c, block, x + box.x, y + box.y, box.w, box.h, align)

    def put_affiliation(box: Box) -> None:
        block = fit(badge.affiliation, REGULAR, box.w, box.h, f.affiliation_max,
                    min_size=AFFILIATION_MIN, max_lines=3)
        if block is not None and (block.truncated or block.split_word):
            block = fit(badge.affiliation, REGULAR, box.w, box.h, f.affiliation_max,
                        min_size=AFFILIATION_FLOOR, max_lines=4)
        if block:
            draw_block(c, block, x + box.x, y + box.y, box.w, box.h, "left")

    put(badge.event_title, BOLD, f.title, f.title_max, 2)
    put(badge.event_dates, REGULAR, f.dates, f.dates_max, 1)
    put(badge.name, BOLD, f.name, f.name_max, 2)
    if clean_text(badge.native_name):
        put(badge.native_name, REGULAR, f.native, f.native_max, 1, align="left")
        put_affiliation(f.affiliation)
    else:
        put_affiliation(f.affiliation_alone)


def draw_cut_lines(c: Canvas, layout: SheetLayout, used: int) -> None:
    bw, bh = layout.badge_size
    c.saveState()
    c.setStrokeGray(0.55)
    c.setLineWidth(0.3)
    c.setDash(3, 3)
    for i, (x, y) in enumerate(layout.positions()):
        if i >= used:
            break
        c.rect(x, y, bw, bh, stroke=1, fill=0)
    c.restoreState()


@dataclass(frozen=True)
class Slot:
    """Where one badge is drawn: its printable part's corner and geometry."""

    x: float
    y: float
    frame: BadgeFrame


def sheet_slots(sheet: SheetLayout, back: bool = False) -> list[Slot]:
    """The slots of one side of a sheet; each badge is laid out inside its printable part."""
    bw, bh = sheet.badge_size
    out = []
    for x, y in (sheet.back_positions() if back else sheet.positions()):
        inset = sheet.printable(x, y)
        out.append(Slot(x + inset.left, y + inset.bottom,
                        _frame(bw - inset.left - inset.right, bh - inset.bottom - inset.top)))
    return out


@functools.lru_cache(maxsize=64)
def _frame(width: float, height: float) -> BadgeFrame:
    return badge_frame(width, height)


def _compress_finished_page(c: Canvas) -> None:
    """Deflate the page reportlab just finished and drop its uncompressed text."""
    try:
        page = c._doc.Pages.pages[-1]
        stream = page.stream
        if not stream or page.Contents:
            return
        data = stream.encode("utf8") if isinstance(stream, str) else stream
        page.Contents = pdfdoc.PDFStream(
            dictionary=pdfdoc.PDFDictionary(
                {"Filter": pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])}
            ),
            content=zlib.compress(data, 6),
        )
        page.stream = None
    except (AttributeError, IndexError):  # reportlab internals changed: keep its default
        return


def render_badges(
    badges: Iterable[BadgeData],
    layout: str = "a6x4",
    out: BinaryIO | None = None,
    *,
    double_sided: bool = False,
) -> bytes | None:
    """Render ``badges`` onto sheets of ``layout`` (a key of ``LAYOUTS``).

    With ``double_sided``, every sheet is followed by its back: the same badges
    again, mirrored for a printer that turns the sheet over its long edge, so a
    badge that flips on its lanyard still shows the name.

    Writes the PDF to ``out`` and returns ``None``, or returns the PDF bytes when
    ``out`` is None.  Raises ``ValueError`` for an unknown layout, a layout that
    cannot take a second side, or no badges.
    """
    sheet = get_layout(layout)
    if double_sided and not sheet.double_sided:
        raise ValueError(f"badge layout {layout!r} is labels: it has no second side to print")
    register_fonts()
    fronts = sheet_slots(sheet)
    backs = sheet_slots(sheet, back=True) if double_sided else []
    # Per-call memo: event title, dates, labels and economies repeat on every badge.
    fit = functools.lru_cache(maxsize=512)(fit_text)
    target = io.BytesIO() if out is None else out
    # A TrueType initial font: otherwise reportlab references (unembedded) Helvetica.
    c = Canvas(target, pagesize=sheet.page_size, pageCompression=1, initialFontName=REGULAR[0])
    c.setViewerPreference("PrintScaling", "None")
    if double_sided:
        c.setViewerPreference("Duplex", "DuplexFlipLongEdge")
    c.setCreator("eventsapp badges")
    c.setPageCallBack(lambda _n: _compress_finished_page(c))

    count = 0
    page: list[BadgeData] = []  # this sheet's badges, drawn again on its back

    def finish_sheet() -> None:
        if sheet.cut_lines:
            draw_cut_lines(c, sheet, len(page))
        c.showPage()
        if backs:
            for b, slot in zip(page, backs, strict=False):
                draw_badge(c, b, slot.x, slot.y, slot.frame, fit)
            c.showPage()
        page.clear()

    for badge in badges:
        if not isinstance(badge, BadgeData):
            raise TypeError(f"expected BadgeData, got {type(badge).__name__}")
        if len(page) == len(fronts):
            finish_sheet()
        if count == 0:
            title = clean_text(badge.event_title)
            c.setTitle(f"Badges: {title}" if title else "Badges")
        slot = fronts[len(page)]
        draw_badge(c, badge, slot.x, slot.y, slot.frame, fit)
        page.append(badge)
        count += 1
    if count == 0:
        raise ValueError("no badges to render")
    finish_sheet()
    c.save()
    if out is None:
        return target.getvalue()
    return None
