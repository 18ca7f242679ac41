"""Rendered badge PDFs, read back as a client would (RELIABILITY.md P1, P3, P5, P6)."""

from __future__ import annotations

import io
import math
import time
import unicodedata

import pytest
from pypdf import PdfReader

from eventsapp.badges import CATEGORY_STYLES, LAYOUTS, BadgeData, render_badges
from eventsapp.badges.layouts import PRINTER_MARGIN
from eventsapp.badges.model import CATEGORIES
from eventsapp.badges.render import sheet_slots
from eventsapp.reference import ECONOMIES


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


TITLE = "APEC Counter-Terrorism Working Group Plenary"
DATES = "3–5 March 2026 · Kuala Lumpur"

# Names that must come back out of the PDF exactly (after NFKC).
NAMES = [
    "Alice Smith",
    "Nguyễn Thị Minh Khai",
    "李小龍",
    "髙橋 太郎",
    "김민준",
    "สมชาย ใจดี",
    "ผู้ใหญ่",
    "Иван Петров",
    "José Ñúñez",
    "Jose\u0301",
    "Zoë Ñúñez-Łukasz",
    "Ωμέγα",
    "Dr. O'Brien-Smith",
]

MARKUP = [
    "<b>Alice",
    '<img src="/etc/passwd"/>',
    '<font face="x">x</font>',
    "Smith & Wesson <3",
    '<a href="javascript:alert(1)">x</a>',
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "{{7*7}}",
    "{% raw %}",
    "&#0;",
    "]]>",
    "<para>",
]

# RELIABILITY.md 3.6 name corpus, verbatim except the two huge strings (tested apart).
BAD_NAMES = [
    "Zoë Ñúñez-Łukasz", "Jose\u0301", "José", "李小龍", "髙橋 \U00020BB7野", "สมชาย ใจดี",
    "ผู้ใหญ่", "محمد عبد الله", "שלום כהן", "Nguyễn Thị Minh Khai", "Иван Петров", "Ωμέγα",
    "Dr. O'Brien-Smith", "👩🏽\u200d💻 Ada", "\u202egnp.exe", "Ali\u200bce", "\u00a0", "", "   ",
    "\x00", "\x1b[31mred", "\x7f", "A" * 201,
]


def badge(name, i=0, native=None, affiliation="Australia", category=None, payload=None):
    return BadgeData(
        name=name,
        native_name=native,
        affiliation=affiliation,
        category=category or CATEGORIES[i % len(CATEGORIES)],
        event_title=TITLE,
        event_dates=DATES,
        checkin_payload=payload or f"https://events.example.org/checkin/t{i:05d}-Zq8WvK3p",
    )


@pytest.fixture(scope="module")
def names_pdf() -> bytes:
    """One A6 badge per page: the name, and the same string as native-script name."""
    return render_badges(
        [badge(n, i, native=n, affiliation=n) for i, n in enumerate(NAMES)], "a6"
    )


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_page_size_and_count(layout):
    sheet = LAYOUTS[layout]
    n = 2 * sheet.per_page + 1
    pdf = render_badges([badge(f"Person {i}", i) for i in range(n)], layout)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == math.ceil(n / sheet.per_page) == 3
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width), 2), round(float(box.height), 2)) == (
            round(sheet.page_size[0], 2), round(sheet.page_size[1], 2))


def test_known_page_sizes():
    mm = 72 / 25.4
    a6 = [round(105 * mm, 2), round(148 * mm, 2)]
    assert [round(v, 2) for v in LAYOUTS["a6"].page_size] == a6
    assert [round(v, 2) for v in LAYOUTS["a6x4"].page_size] == [595.28, 841.89]
    assert LAYOUTS["letter-4x3"].page_size == (612, 792)
    assert LAYOUTS["letter-4x3"].badge_size == (288, 216)


def test_print_scaling_none_and_title():
    pdf = render_badges([badge("Alice", 0)], "a6x4")
    reader = PdfReader(io.BytesIO(pdf))
    prefs = reader.trailer["/Root"]["/ViewerPreferences"]
    assert prefs["/PrintScaling"] == "/None"
    assert reader.metadata.title == f"Badges: {TITLE}"


def test_writes_to_stream_and_returns_none():
    buf = io.BytesIO()
    assert render_badges(iter([badge("Alice", 0)]), "a6", out=buf) is None
    assert buf.getvalue().startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(buf.getvalue())).pages) == 1


def test_consumes_a_generator_lazily():
    seen = []

    def gen():
        for i in range(9):
            seen.append(i)
            yield badge(f"Person {i}", i)

    pdf = render_badges(gen(), "a6x4")
    assert seen == list(range(9))
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 3


def test_errors():
    with pytest.raises(ValueError, match="no badges"):
        render_badges([], "a6x4")
    with pytest.raises(ValueError, match="unknown badge layout"):
        render_badges([badge("A")], "a5x9")
    with pytest.raises(TypeError):
        render_badges([{"name": "A"}], "a6")
    with pytest.raises(ValueError, match="category"):
        badge("A", category="vip")


def test_names_extract_as_text(names_pdf, probe):
    pages = probe.blocks(names_pdf)
    assert len(pages) == len(NAMES)
    for name, blocks in zip(NAMES, pages, strict=True):
        texts = [nfkc(b.text) for b in blocks]
        # name (large), native-script name and affiliation: three separate blocks
        assert texts.count(nfkc(name)) == 3, (name, texts)
        assert nfkc(TITLE) in texts
        assert nfkc(DATES) in texts


def test_no_tofu_or_nul(names_pdf, probe):
    text = probe.text(names_pdf)
    assert "\u25a0" not in text
    assert "\x00" not in text
    assert "\ufffd" not in text
    assert not any(0xE000 <= ord(ch) <= 0xF8FF for ch in text)  # no private-use glyph codes


def test_every_font_embedded(names_pdf, probe):
    fonts = probe.fonts(names_pdf)
    assert len(fonts) == 5
    assert {emb for _, emb in fonts} == {"yes"}
    assert {name.split("+", 1)[1] for name, _ in fonts} == {
        "NotoSans-Bold", "NotoSans-Regular", "NotoSansThai-Bold", "NotoSansThai-Regular",
        "WenQuanYiZenHei-0",
    }


def test_arabic_and_hebrew_names_are_joined_and_read_right_to_left(probe):
    """P1/P2: shaped by HarfBuzz (Arabic joining, the font's ligatures), drawn in visual
    order, and extracted back in reading order (NFKC folds the presentation forms)."""
    names = ["محمد عبد الله", "שלום כהן", "Dr محمد العلي"]
    pdf = render_badges([badge(n, i) for i, n in enumerate(names)], "a6x4")
    # The Latin and Arabic parts of a mixed name are separate text objects: join the lines.
    text = " ".join(nfkc(PdfReader(io.BytesIO(pdf)).pages[0].extract_text()).split())
    for name in names:
        assert nfkc(name) in text, name
    assert "\ufffd" not in text and "\u25a0" not in text
    embedded = {name.split("+", 1)[1] for name, _ in probe.fonts(pdf)}
    assert {"NotoSansArabic-Bold", "NotoSansHebrew-Bold"} <= embedded  # names are bold


@pytest.mark.parametrize("layout", ["a6x4", "letter-4x3"])
def test_qr_codes_decode_to_payload(layout, probe):
    sheet = LAYOUTS[layout]
    payloads = [
        "https://events.example.org/checkin/Zq8WvK3pX1",
        "https://events.example.org/checkin/aB-_" + "x" * 40,
        "CHECKIN:42:7f3a9c",
        "https://ev.example/c/ünï-cödé?x=1&y=2",
        "https://events.example.org/checkin/Zq8WvK3pX2",
        "K7M3P9Q2R5T8",
        "https://events.example.org/checkin/Zq8WvK3pX3",
    ]
    pdf = render_badges([badge(f"Person {i}", i, payload=p) for i, p in enumerate(payloads)],
                        layout)
    pages = probe.qr_codes(pdf)
    assert len(pages) == 2
    per = sheet.per_page
    assert pages == [sorted(payloads[:per]), sorted(payloads[per:])]


def _inside(word, x0, top, x1, bottom, tol=0.5):
    return (word.x0 >= x0 - tol and word.x1 <= x1 + tol
            and word.y0 >= top - tol and word.y1 <= bottom + tol)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_long_name_stays_inside_badge(layout, probe):
    sheet = LAYOUTS[layout]
    long_name = "A" * 120
    spaced = " ".join(["Maximiliana Wolfeschlegelsteinhausenbergerdorff"] * 3)[:120]
    names = [long_name, spaced, "B" * 200]
    pdf = render_badges([badge(n, i) for i, n in enumerate(names)], layout)
    bw, bh = sheet.badge_size
    ph = sheet.page_size[1]
    slots = list(sheet.positions())
    drawn = sheet_slots(sheet)
    pages = probe.blocks(pdf)
    for i, name in enumerate(names):
        page = pages[i // sheet.per_page]
        x, y = slots[i % sheet.per_page]
        top = ph - (y + bh)  # poppler's y axis points down
        frame = drawn[i % sheet.per_page].frame
        fx, fy = drawn[i % sheet.per_page].x, drawn[i % sheet.per_page].y
        # the badge rectangle holds every word of this badge
        # the name box (below the header, above the QR code) holds the name
        nx0, nx1 = fx + frame.name.x, fx + frame.name.x + frame.name.w
        ntop = ph - (fy + frame.name.y + frame.name.h)
        nbottom = ph - (fy + frame.name.y)
        name_blocks = [b for b in page
                       if b.words and _inside(b.words[0], nx0, ntop, nx1, nbottom, tol=2)]
        assert len(name_blocks) == 1, name
        blk = name_blocks[0]
        for w in blk.words:
            assert _inside(w, x, top, x + bw, top + bh), (name, w)
            assert _inside(w, nx0, ntop, nx1, nbottom), (name, w)
        if len(name) <= 120:
            # A6 paper keeps 5 mm blank all round: 120 capitals take a third line at 6 pt.
            assert len(blk.lines) <= (3 if layout == "a6" else 2)
            assert blk.text_nospace_lines.replace(" ", "") == name.replace(" ", "")
            assert min(w.y1 - w.y0 for w in blk.words) >= 6.0  # font size >= 6 pt
        for b in page:
            for w in b.words:
                assert any(_inside(w, sx, ph - (sy + bh), sx + bw, ph - sy) for sx, sy in slots)


def test_markup_renders_literally(probe):
    pdf = render_badges(
        [badge(s, i, native=s, affiliation=s) for i, s in enumerate(MARKUP)], "a6"
    )
    pages = probe.blocks(pdf)
    for s, blocks in zip(MARKUP, pages, strict=True):
        texts = [b.text for b in blocks]
        # name and native-script name: one line each, exact
        assert texts.count(s) >= 2, (s, texts)
        # the narrow affiliation box may wrap inside a word: compare without spaces
        squeezed = ["".join(t.split()) for t in texts]
        assert squeezed.count("".join(s.split())) == 3, (s, texts)


def test_bad_input_corpus_renders(probe):
    pdf = render_badges(
        [badge(n, i, native=n or None, affiliation=n) for i, n in enumerate(BAD_NAMES)], "a6x4"
    )
    text = probe.text(pdf)
    assert "\x00" not in text and "\u25a0" not in text and "\x1b" not in text
    assert "\u202e" not in text and "\u200b" not in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) == math.ceil(len(BAD_NAMES) / 4)


def test_huge_input_is_cheap_and_truncated(probe):
    t0 = time.process_time()
    pdf = render_badges([badge("A" * 50_000, 0), badge("word " * 40_000, 1)], "a6x4")
    assert time.process_time() - t0 < 2.0
    text = probe.text(pdf)
    assert text.count("\u2026") == 2  # each ends with an ellipsis inside its box


def test_category_band_labels(probe):
    pdf = render_badges([badge(f"P{i}", i, category=c) for i, c in enumerate(CATEGORIES)], "a6")
    pages = probe.blocks(pdf)
    for cat, blocks in zip(CATEGORIES, pages, strict=True):
        assert CATEGORY_STYLES[cat].label in [b.text for b in blocks]


@pytest.mark.slow
def test_five_hundred_badges_render_well_within_a_minute_and_every_code_decodes(probe):
    """P4 (500 badges < 60 s) and P6 (pdftoppm at 150 dpi, then zxing: 500/500 decode)."""
    badges = [badge(f"Delegate {i}", i) for i in range(500)]
    started = time.process_time()
    pdf = render_badges(badges, "a6x4")
    assert time.process_time() - started < 60
    decoded = [code for page in probe.qr_codes(pdf) for code in page]
    assert sorted(decoded) == sorted(b.checkin_payload for b in badges)


# --- issue 14, item 9: Japanese and Hong Kong name characters --------------------------------

RARE_HAN = [
    ("𠮷田 太郎", "\U00020BB7田 太郎"),  # CJK Extension B (the "tsuchi-yoshi" of 吉田)
    ("山﨑 花子", "山\ufa11 花子"),  # a unified ideograph of the compatibility block
    ("𡧃野 𩸽", "\U000219C3野 \U00029E3D"),  # Extension B, as in Japanese family names
    ("陳 𨋢", "陳 \U000282E2"),  # an HKSCS character (Hong Kong names), Extension B
]


@pytest.mark.parametrize("name, codepoints", RARE_HAN)
def test_rare_han_characters_print_as_themselves(probe, name, codepoints):
    assert name == codepoints
    pdf = render_badges([badge("Taro Yoshida", native=name)], "a6")
    text = probe.text(pdf)
    assert "\ufffd" not in text
    # pdftotext guesses spaces from the gaps; between two Han characters it may not.
    assert name.replace(" ", "") in [line.replace(" ", "") for line in text.splitlines()]
    hanamin = {n.split("+", 1)[1] for n, _ in probe.fonts(pdf)} & {"HanaMinA", "HanaMinB"}
    assert hanamin  # drawn in the bundled Hanazono font, embedded


def test_ext_b_character_is_not_missing():
    from eventsapp.badges.fonts import missing_glyphs

    assert missing_glyphs("𠮷田 太郎 山﨑 𨋢") == set()


# --- print-safe sheets (issue 15) --------------------------------------------------------------

SAFE_NAMES = [
    "Guadalupe Smith", "María Guadalupe Fernández de la Cruz", "Nguyễn Thị Minh Khai",
    "Maximiliana Wolfeschlegelsteinhausenbergerdorff", "Somchai Jaidee", "Zoë Ñúñez-Łukasz",
    "Christopher Alexander Montgomery-Williamson", "Ana Li",
]
CUT_CLEARANCE = 4 * 72 / 25.4  # names stay 4 mm inside the cut


def _safe_badges():
    """One badge per economy (all 21, so every economy name is measured), names cycling."""
    return [BadgeData(name=SAFE_NAMES[i % len(SAFE_NAMES)], native_name=None, affiliation=econ,
                      category=CATEGORIES[i % len(CATEGORIES)], event_title="CTWG Plenary",
                      event_dates="3–5 March 2026", checkin_payload=f"K7M3P9Q2R{i:03d}")
            for i, econ in enumerate(ECONOMIES.values())]


def _runs_with_size(pdf: bytes) -> list[list[tuple[str, float]]]:
    """(text, font size in points) of every text run, per page (pypdf)."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        runs: list[tuple[str, float]] = []

        def visit(text, cm, tm, _font, size, runs=runs):
            if text.strip():
                runs.append((text.strip(), size * abs(tm[3]) * abs(cm[3])))

        page.extract_text(visitor_text=visit)
        pages.append(runs)
    return pages


@pytest.mark.parametrize("double_sided", [False, True])
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_sheets_are_print_safe_names_whole_and_economies_legible(layout, double_sided, probe,
                                                                   tmp_path):
    sheet = LAYOUTS[layout]
    if double_sided and not sheet.double_sided:
        with pytest.raises(ValueError, match="no second side"):
            render_badges(_safe_badges(), layout, double_sided=True)
        return
    badges = _safe_badges()
    pdf = render_badges(badges, layout, double_sided=double_sided)
    pw, ph = sheet.page_size
    bw, bh = sheet.badge_size
    sides = 2 if double_sided else 1
    pages = probe.blocks(pdf)
    assert len(pages) == math.ceil(len(badges) / sheet.per_page) * sides
    sizes = _runs_with_size(pdf)
    for p, blocks in enumerate(pages):
        sheet_no, back = divmod(p, sides)
        on_page = badges[sheet_no * sheet.per_page:(sheet_no + 1) * sheet.per_page]
        slots = list(sheet.back_positions() if back else sheet.positions())
        words = [w for b in blocks for w in b.words]
        # 1. Nothing is written within 5 mm of the paper's edge.
        for w in words:
            assert min(w.x0, w.y0, pw - w.x1, ph - w.y1) >= PRINTER_MARGIN - 0.5, (layout, w)
        for b, (x, y) in zip(on_page, slots, strict=False):
            # The safe box: 4 mm inside the cut, and inside the printable area.
            left = max(x + CUT_CLEARANCE, PRINTER_MARGIN)
            right = min(x + bw - CUT_CLEARANCE, pw - PRINTER_MARGIN)
            top = max(ph - (y + bh) + CUT_CLEARANCE, PRINTER_MARGIN)
            bottom = min(ph - y - CUT_CLEARANCE, ph - PRINTER_MARGIN)
            # 2. The name comes out whole (no word broken: poppler would see the pieces as
            # two words), every word of it in the safe box.
            ws = [w for w in words if _inside(w, x, ph - y - bh, x + bw, ph - y, tol=0)]
            tokens = nfkc(b.name).split()
            texts = [nfkc(w.text) for w in ws]
            starts = [i for i in range(len(texts)) if texts[i:i + len(tokens)] == tokens]
            assert len(starts) == 1, (layout, back, b.name, texts)
            for w in ws[starts[0]:starts[0] + len(tokens)]:
                assert _inside(w, left, top, right, bottom, tol=0), (layout, b.name, w)
        # 3. Every economy name is drawn at 14 pt or more (legible at 1.5 m).
        economies = {b.affiliation for b in on_page}
        seen = set()
        for text, size in sizes[p]:
            for econ in economies:
                if nfkc(text) and nfkc(text) in nfkc(econ):
                    assert size >= 14 - 1e-6, (layout, econ, text, size)
                    seen.add(econ)
        assert seen == economies
    # 4. Nothing at all (bands, cut lines, QR codes) is drawn in the unprintable margin.
    _assert_margin_blank(pdf, sheet, tmp_path)


def _assert_margin_blank(pdf: bytes, sheet, tmp_path) -> None:
    import subprocess

    from PIL import Image

    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    dpi = 72
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(path),
                    str(tmp_path / "sheet")], check=True, capture_output=True)
    edge = math.floor(PRINTER_MARGIN * dpi / 72) - 1  # whole pixels inside the 5 mm band
    for page in sorted(tmp_path.glob("sheet-*.pgm")):
        with Image.open(page) as opened:
            img = opened.convert("L")
            w, h = img.size
            px = img.load()
            dark = [(x, y) for y in range(h) for x in range(w)
                    if (x < edge or y < edge or x >= w - edge or y >= h - edge)
                    and px[x, y] < 250]
        assert dark == [], (page.name, dark[:5])


def test_double_sided_sheet_repeats_each_front_on_its_back_mirrored(probe):
    badges = _safe_badges()[0:6:2]  # names with no word in common
    pdf = render_badges(badges, "a6x4", double_sided=True)
    pages = probe.blocks(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(pages) == 2
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/Duplex"] == "/DuplexFlipLongEdge"

    def name_x(page, name):
        words = [w for b in page for w in b.words]
        first, last = nfkc(name).split()[0], nfkc(name).split()[-1]
        (x0,) = [w.x0 for w in words if nfkc(w.text) == first]
        (x1,) = [w.x1 for w in words if nfkc(w.text) == last]
        return (x0 + x1) / 2

    sheet = LAYOUTS["a6x4"]
    pw, bw = sheet.page_size[0], sheet.badge_size[0]
    for b, (x, _) in zip(badges, sheet.positions(), strict=False):
        # The back of the badge in the left column is in the right column, laid out alike.
        back_x = pw - x - bw
        assert back_x != x
        assert name_x(pages[1], b.name) - back_x == pytest.approx(name_x(pages[0], b.name) - x,
                                                                  abs=0.5)
