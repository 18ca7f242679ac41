"""Fonts, fallback, text fitting, layouts and colours, without reading PDFs back."""

from __future__ import annotations

import pytest
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.pdfbase.ttfonts import ShapedStr

from eventsapp.badges import CATEGORY_STYLES, LAYOUTS, SheetLayout, missing_glyphs
from eventsapp.badges.fonts import (
    BOLD,
    FONT_DIR,
    REGULAR,
    assign_fonts,
    clean_text,
    get_chain,
    make_runs,
    split_runs,
)
from eventsapp.badges.layouts import PRINTER_MARGIN
from eventsapp.badges.model import CATEGORIES
from eventsapp.badges.render import badge_frame, qr_rects
from eventsapp.badges.text import fit_text

NOTO, NOTO_B = "EventsApp-NotoSans", "EventsApp-NotoSans-Bold"
THAI, WQY = "EventsApp-NotoSansThai", "EventsApp-WQYZenHei"

REQUIRED = ["Alice Smith", "Nguyễn Thị Minh Khai", "李小龍", "髙橋 太郎", "김민준",
            "สมชาย ใจดี", "ผู้ใหญ่", "Иван Петров", "José Ñúñez", "Ωμέγα", "Zoë Ñúñez-Łukasz",
            "محمد عبد الله", "שלום כהן"]


# --- fonts -----------------------------------------------------------------------

def test_fonts_bundled_with_licences():
    files = {p.name: p.stat().st_size for p in FONT_DIR.iterdir()}
    for name in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSansThai-Regular.ttf",
                 "NotoSansThai-Bold.ttf", "NotoSansArabic-Regular.ttf",
                 "NotoSansArabic-Bold.ttf", "NotoSansHebrew-Regular.ttf",
                 "NotoSansHebrew-Bold.ttf", "wqy-zenhei.ttc", "LICENSE-Noto.txt",
                 "LICENSE-WenQuanYi-ZenHei.txt", "HanaMinA-CJK-supplement.ttf", "HanaMinB.ttf",
                 "LICENSE-Hanazono.txt"):
        assert name in files
    # HanaMinB (all of CJK Extension B and later, 31 MB) is most of it.
    assert sum(files.values()) < 52_000_000


@pytest.mark.parametrize("text", REQUIRED)
def test_required_names_fully_covered(text):
    assert missing_glyphs(text) == set()
    for chain in (REGULAR, BOLD):
        runs = split_runs(text, chain)
        assert "".join(t for _, t in runs) == clean_text(text)
        fc = get_chain(chain)
        for font, t in runs:
            cmap = fc.cmaps[fc.names.index(font)]
            assert all(ord(ch) in cmap for ch in t), (font, t)


def test_missing_glyphs():
    assert missing_glyphs("髙橋 \U00020BB7野") == set()  # Extension B: Hanazono B
    assert missing_glyphs("髙橋 \U00030000野") == {"\U00030000"}  # Extension G: no font
    assert missing_glyphs("👩🏽\u200d💻 Ada") == {"👩", "🏽", "💻"}
    # control and invisible format characters are removed, not reported
    assert missing_glyphs("\x00\x1b\x7f\u202e\u200b\ufe0f") == set()
    assert missing_glyphs(None) == set()


def test_split_runs():
    assert split_runs("Alice 李小龍") == [(NOTO, "Alice "), (WQY, "李小龍")]
    assert split_runs("สมชาย ใจดี") == [(THAI, "สมชาย ใจดี")]  # the space stays in the run
    assert split_runs("김민준 (Kim)", BOLD) == [(WQY, "김민준 ("), (NOTO_B, "Kim)")]
    assert split_runs("Иван Петров") == [(NOTO, "Иван Петров")]
    assert split_runs("A\U00030000B") == [(NOTO, "A\ufffdB")]
    assert split_runs("\U00020BB7田") == [("EventsApp-HanaMinB", "\U00020BB7"), (WQY, "田")]


def test_clean_text():
    assert clean_text("  Ali\u200bce \x00\n\t Smith\u00a0 ") == "Alice Smith"
    assert clean_text("Jose\u0301") == "Jos\u00e9"
    assert clean_text("\u202egnp.exe") == "gnp.exe"
    assert clean_text("   ") == ""
    assert clean_text(None) == ""


def test_thai_runs_are_shaped():
    fc = get_chain(REGULAR)
    text, idxs = assign_fonts("ปั้น", fc)
    (run,) = make_runs(text, idxs, fc)
    assert run.shaped and isinstance(run.text, ShapedStr)
    assert run.source == "ปั้น"
    # HarfBuzz moves the marks left of the tall consonant's ascender
    assert any(sd.x_offset != 0 for sd in run.text.__shapeData__)
    latin, lidx = assign_fonts("Alice", fc)
    assert [r.shaped for r in make_runs(latin, lidx, fc)] == [False]


# --- text fitting ------------------------------------------------------------------

@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_long_name_fits_two_lines_min_6pt(layout):
    f = badge_frame(*LAYOUTS[layout].badge_size)
    for name in ("A" * 120, "Nguyễn" * 20, " ".join(["Wolfeschlegelsteinhausen"] * 5)[:120]):
        block = fit_text(name, BOLD, f.name.w, f.name.h, f.name_max)
        assert block.size >= 6.0
        assert len(block.lines) <= 2
        assert block.width <= f.name.w + 1e-6
        assert block.height <= f.name.h + 1e-6
        assert block.truncated is False
        assert block.text.replace("\n", "").replace(" ", "") == name.replace(" ", "")


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_widest_120_chars_keep_6pt_on_three_lines(layout):
    # 120 × "W" needs ~4.5 pt on two lines; legibility wins: 6 pt on a third line.
    f = badge_frame(*LAYOUTS[layout].badge_size)
    block = fit_text("W" * 120, BOLD, f.name.w, f.name.h, f.name_max)
    assert (block.size, len(block.lines), block.truncated) == (6.0, 3, False)
    assert block.width <= f.name.w + 1e-6 and block.height <= f.name.h + 1e-6


def test_short_name_single_line_at_max_size():
    f = badge_frame(*LAYOUTS["a6"].badge_size)
    block = fit_text("Alice Smith", BOLD, f.name.w, f.name.h, f.name_max)
    assert block.size == f.name_max == 40.0
    assert block.text == "Alice Smith"


def test_too_long_is_truncated_at_min_size_inside_box():
    f = badge_frame(*LAYOUTS["letter-4x3"].badge_size)
    block = fit_text("word " * 40_000, BOLD, f.name.w, f.name.h, f.name_max)
    assert block.truncated is True
    assert block.size == 6.0
    assert block.text.endswith("\u2026")
    assert block.width <= f.name.w + 1e-6
    assert block.height <= f.name.h + 1e-6


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("name", [
    "Guadalupe Smith", "María Guadalupe Hernández", "Guadalupe", "Wolfeschlegelsteinhausen Li",
    "Maximiliana Wolfeschlegelsteinhausenbergerdorff", "Nguyễn Thị Minh Khai",
])
def test_a_name_shrinks_before_a_word_is_broken(layout, name):
    f = badge_frame(*LAYOUTS[layout].badge_size)
    block = fit_text(name, BOLD, f.name.w, f.name.h, f.name_max)
    assert block.split_word is False
    assert block.text.replace("\n", " ") == name  # each line ends between words
    assert block.width <= f.name.w + 1e-6


def test_only_a_word_wider_than_the_box_at_the_smallest_size_is_broken():
    f = badge_frame(*LAYOUTS["a6"].badge_size)
    block = fit_text("A" * 120, BOLD, f.name.w, f.name.h, f.name_max)
    assert block.split_word is True


def test_empty_text_draws_nothing():
    assert fit_text(" \x00 ", REGULAR, 100, 100, 12) is None


# --- layouts ------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_layout_slots_inside_page_and_disjoint(name):
    sheet = LAYOUTS[name]
    pos = list(sheet.positions())
    bw, bh = sheet.badge_size
    pw, ph = sheet.page_size
    assert len(pos) == sheet.per_page
    for x, y in pos:
        assert 0 <= x and x + bw <= pw + 1e-6 and 0 <= y and y + bh <= ph + 1e-6
    for i, (x1, y1) in enumerate(pos):
        for x2, y2 in pos[i + 1:]:
            assert x1 + bw <= x2 + 1e-6 or x2 + bw <= x1 + 1e-6 or \
                y1 + bh <= y2 + 1e-6 or y2 + bh <= y1 + 1e-6


def test_a6x4_tiles_a4_inside_a_6_mm_border_top_left_first():
    pos = list(LAYOUTS["a6x4"].positions())
    w, h = LAYOUTS["a6x4"].badge_size
    assert (round(w / mm, 3), round(h / mm, 3)) == (99.0, 142.5)  # slides into an A6 holder
    b = 6 * mm
    assert [(round(x, 3), round(y, 3)) for x, y in pos] == [
        (round(b, 3), round(b + h, 3)), (round(b + w, 3), round(b + h, 3)),
        (round(b, 3), round(b, 3)), (round(b + w, 3), round(b, 3))]
    assert LAYOUTS["a6x4"].cut_lines is True and LAYOUTS["a6"].cut_lines is False


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_every_badge_or_its_printable_part_keeps_5_mm_from_the_paper_edge(name):
    sheet = LAYOUTS[name]
    pw, ph = sheet.page_size
    bw, bh = sheet.badge_size
    for x, y in [*sheet.positions(), *sheet.back_positions()]:
        inset = sheet.printable(x, y)
        left, bottom = x + inset.left, y + inset.bottom
        right, top = x + bw - inset.right, y + bh - inset.top
        assert min(left, bottom, pw - right, ph - top) >= PRINTER_MARGIN - 1e-6
        if sheet.cut_lines:  # the cut lines are drawn: the whole badge is printable
            assert (left, bottom, right, top) == (x, y, x + bw, y + bh)


def test_label_stock_has_its_published_grid():
    l7169 = LAYOUTS["avery-l7169"]
    assert [(round(x / mm, 2), round((A4[1] - y - l7169.badge_size[1]) / mm, 2))
            for x, y in l7169.positions()] == [(4.65, 9.5), (106.25, 9.5), (4.65, 148.5),
                                               (106.25, 148.5)]
    letter = LAYOUTS["letter-4x3"]
    assert (letter.columns, letter.rows, letter.margin_left, letter.margin_top) == (2, 3, 18, 72)
    assert LAYOUTS["letter-4x6"].badge_size == (288, 432)
    assert LAYOUTS["a6-labels"].badge_size == A6
    assert [k for k, v in LAYOUTS.items() if not v.double_sided] == ["avery-l7169",
                                                                     "a6-labels"]


def test_cut_lines_in_the_unprintable_margin_are_refused():
    with pytest.raises(ValueError, match="cut lines"):
        SheetLayout("edge to edge", A4, A6, 2, 2, margin_top=0.5 * mm, cut_lines=True)


def test_back_of_a_sheet_mirrors_its_columns():
    sheet = LAYOUTS["letter-4x3"]
    front, back = list(sheet.positions()), list(sheet.back_positions())
    assert [(round(x, 3), y) for x, y in back] == [
        (round(front[i + 1][0], 3), front[i][1]) if i % 2 == 0 else
        (round(front[i - 1][0], 3), front[i][1]) for i in range(len(front))]


def test_layout_must_fit_page():
    with pytest.raises(ValueError):
        SheetLayout("too big", A4, (300, 300), 2, 2)


# --- QR and colours -------------------------------------------------------------------

def test_qr_rects_cover_exactly_the_dark_modules():
    import segno

    payload = "https://events.example.org/checkin/Zq8WvK3pX1"
    n, rects = qr_rects(payload)
    matrix = segno.make(payload, error="m", mask=0, micro=False).matrix
    grid = [[0] * n for _ in range(n)]
    for x, y, w, h in rects:
        for r in range(y, y + h):
            for c in range(x, x + w):
                assert grid[r][c] == 0
                grid[r][c] = 1
    assert grid == [list(row) for row in matrix]


def _luminance(rgb):
    def ch(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (ch(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _rgb(hexstr):
    h = hexstr.lstrip("#")
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))


def _contrast(a, b):
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _grey(rgb):  # what a greyscale printer does (Rec. 601 luma)
    y = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
    return (y, y, y)


@pytest.mark.parametrize("category", CATEGORIES)
def test_band_label_contrast_colour_and_greyscale(category):
    style = CATEGORY_STYLES[category]
    bg, fg = _rgb(style.fill), _rgb(style.text)
    assert style.text in ("#FFFFFF", "#000000")
    assert _contrast(bg, fg) >= 4.5
    assert _contrast(_grey(bg), _grey(fg)) >= 4.5
    assert style.label == category.replace("_", " ").upper()


def test_every_category_has_a_distinct_style():
    assert set(CATEGORY_STYLES) == set(CATEGORIES)
    assert len({s.fill for s in CATEGORY_STYLES.values()}) == len(CATEGORIES)
