"""Bundled TrueType fonts, per-character fallback and shaping (Thai, Arabic, Hebrew, marks).

reportlab only embeds TrueType (glyf) outlines, so the fonts are Noto Sans (Latin,
Vietnamese, Greek, Cyrillic), Noto Sans Thai, Arabic and Hebrew, WenQuanYi Zen Hei
(Han, Kana, Hangul) and Hanazono Mincho (the Han characters WenQuanYi lacks: the unified
ideographs of the compatibility block such as 﨑 U+FA11, and in HanaMinB all of CJK
Extension B and later, such as 𠮷 U+20BB7 of Japanese and Hong Kong names), shipped under
``static/fonts/`` with their licences.

reportlab writes a font's ToUnicode map with 4 hex digits per character, so a character
beyond the BMP (𠮷) would read back as U+20BB; `register_fonts` installs a map that
writes UTF-16 (surrogate pairs), as the PDF specification asks (ISO 32000-1 §9.10.3).

A string is split into runs of ``(font, text)``: letters and digits take the first
font of the chain whose cmap has them; marks, spaces and punctuation stay in the
current run's font when it has them, so a Thai vowel sign never lands in another
font than its consonant.  Runs in Thai, Arabic or Hebrew, or containing combining marks,
are shaped with HarfBuzz (``reportlab[shaping]``, i.e. uharfbuzz) through
``reportlab.pdfbase.ttfonts.shapeStr``, which joins Arabic letters and gives the glyphs of a
right-to-left run in visual order.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase import ttfonts as _ttfonts
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont

from ..models import Registration

try:  # reportlab[shaping]; without it Thai marks are drawn unpositioned
    from reportlab.pdfbase.ttfonts import shapeStr as _shape_str
    from reportlab.pdfbase.ttfonts import uharfbuzz as _uharfbuzz
except ImportError:  # pragma: no cover - very old reportlab
    _shape_str = None
    _uharfbuzz = None

FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"

REPLACEMENT = "\ufffd"
ELLIPSIS = "\u2026"


@dataclass(frozen=True)
class FontFile:
    name: str  # reportlab registration name
    filename: str  # under FONT_DIR
    subfont_index: int = 0
    complex_script: bool = False  # always shape runs in this font


FONT_FILES: tuple[FontFile, ...] = (
    FontFile("EventsApp-NotoSans", "NotoSans-Regular.ttf"),
    FontFile("EventsApp-NotoSans-Bold", "NotoSans-Bold.ttf"),
    FontFile("EventsApp-NotoSansThai", "NotoSansThai-Regular.ttf", complex_script=True),
    FontFile("EventsApp-NotoSansThai-Bold", "NotoSansThai-Bold.ttf", complex_script=True),
    FontFile("EventsApp-NotoSansArabic", "NotoSansArabic-Regular.ttf", complex_script=True),
    FontFile("EventsApp-NotoSansArabic-Bold", "NotoSansArabic-Bold.ttf", complex_script=True),
    FontFile("EventsApp-NotoSansHebrew", "NotoSansHebrew-Regular.ttf", complex_script=True),
    FontFile("EventsApp-NotoSansHebrew-Bold", "NotoSansHebrew-Bold.ttf", complex_script=True),
    FontFile("EventsApp-WQYZenHei", "wqy-zenhei.ttc", subfont_index=0),
    FontFile("EventsApp-HanaMinA", "HanaMinA-CJK-supplement.ttf"),
    FontFile("EventsApp-HanaMinB", "HanaMinB.ttf"),
)

#: Fallback chains, most preferred first.  WenQuanYi and Hanazono have no bold face.
REGULAR: tuple[str, ...] = (
    "EventsApp-NotoSans", "EventsApp-NotoSansThai", "EventsApp-NotoSansArabic",
    "EventsApp-NotoSansHebrew", "EventsApp-WQYZenHei", "EventsApp-HanaMinA",
    "EventsApp-HanaMinB",
)
BOLD: tuple[str, ...] = (
    "EventsApp-NotoSans-Bold", "EventsApp-NotoSansThai-Bold", "EventsApp-NotoSansArabic-Bold",
    "EventsApp-NotoSansHebrew-Bold", "EventsApp-WQYZenHei", "EventsApp-HanaMinA",
    "EventsApp-HanaMinB",
)

_COMPLEX = frozenset(f.name for f in FONT_FILES if f.complex_script)
_lock = threading.Lock()
_chains: dict[tuple[str, ...], FontChain] = {}

# Invisible characters that need no glyph: variation selectors, CGJ.
_IGNORABLE = frozenset(
    [0x034F] + list(range(0xFE00, 0xFE10)) + list(range(0xE0100, 0xE01F0))
)


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's `makeToUnicodeCMap`, with each character written as UTF-16BE hex."""
    entries = [f"<{i:02X}> <{chr(cp).encode('utf-16-be').hex().upper()}>"
               for i, cp in enumerate(subset)]
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo", f"<< /Registry ({fontname})", f"/Ordering ({fontname})",
        "/Supplement 0", ">> def", f"/CMapName /{fontname} def", "/CMapType 2 def",
        "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange",
        f"{len(subset)} beginbfchar", *entries, "endbfchar", "endcmap",
        "CMapName currentdict /CMap defineresource pop", "end", "end"])


def register_fonts() -> None:
    """Register the bundled fonts with reportlab (idempotent, thread-safe)."""
    if len(_chains) >= 2:
        return
    with _lock:
        if len(_chains) >= 2:
            return
        # The one function reportlab calls for the map (see the module's docstring); the
        # same output for every BMP character, so PDFs without 𠮷 are byte-identical.
        _ttfonts.makeToUnicodeCMap = _to_unicode_cmap
        registered = set(pdfmetrics.getRegisteredFontNames())
        for f in FONT_FILES:
            if f.name not in registered:
                path = FONT_DIR / f.filename
                if not path.is_file():
                    raise FileNotFoundError(f"badge font missing: {path}")
                pdfmetrics.registerFont(
                    TTFont(f.name, str(path), subfontIndex=f.subfont_index, shapable=True)
                )
        for chain in (REGULAR, BOLD):
            _chains[chain] = FontChain(chain)


def get_chain(chain: tuple[str, ...]) -> FontChain:
    register_fonts()
    try:
        return _chains[chain]
    except KeyError:
        with _lock:
            return _chains.setdefault(chain, FontChain(chain))


class FontChain:
    """An ordered list of registered TrueType fonts with cmap look-ups."""

    def __init__(self, names: tuple[str, ...]):
        self.names = names
        fonts = [pdfmetrics.getFont(n) for n in names]
        self.cmaps = [f.face.charToGlyph for f in fonts]
        self.widths = [f.face.charWidths for f in fonts]
        self.default_widths = [f.face.defaultWidth for f in fonts]
        # Extents over the chain, as fractions of the font size.
        self.ascent = max(f.face.ascent for f in fonts) / 1000.0
        self.descent = max(-f.face.descent for f in fonts) / 1000.0
        self._first: dict[int, int | None] = {}

    def first_covering(self, cp: int) -> int | None:
        try:
            return self._first[cp]
        except KeyError:
            pass
        if 0xE000 <= cp <= 0xF8FF:
            # Private use: shaping adds PUA entries to the cmaps at run time.
            idx = None
        else:
            idx = next((i for i, cmap in enumerate(self.cmaps) if cp in cmap), None)
        if len(self._first) < 100_000:  # bounded; per process, derived from the font files only
            self._first[cp] = idx
        return idx

    def covers(self, cp: int) -> bool:
        return self.first_covering(cp) is not None

    def char_width(self, idx: int, cp: int) -> float:
        """Advance width of ``cp`` in font ``idx`` at 1 pt."""
        return self.widths[idx].get(cp, self.default_widths[idx]) / 1000.0


def clean_text(text: str | None) -> str:
    """NFC-normalise, drop control/format characters, collapse whitespace."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    space = False
    for ch in text:
        cat = unicodedata.category(ch)
        if ch.isspace() or cat in ("Zs", "Zl", "Zp"):
            space = bool(out)
            continue
        if cat in ("Cc", "Cf", "Cs") or ord(ch) in _IGNORABLE:
            continue  # NUL, ESC, DEL, bidi overrides, ZWSP/ZWJ, soft hyphen, BOM ...
        if space:
            out.append(" ")
            space = False
        out.append(ch)
    return "".join(out)


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "M"


def assign_fonts(text: str, chain: FontChain) -> tuple[str, list[int]]:
    """Per-character font choice for cleaned ``text``.

    Returns the text actually drawn (uncovered characters replaced by U+FFFD,
    uncovered marks dropped) and the chain index of each of its characters.
    """
    chars: list[str] = []
    idxs: list[int] = []
    cur: int | None = None
    cmaps = chain.cmaps
    for ch in text:
        cp = ord(ch)
        cat = unicodedata.category(ch)
        if cat[0] not in "LN" and cat != "Co" and cur is not None and cp in cmaps[cur]:
            idx: int | None = cur  # marks, spaces, punctuation stay with their run
        else:
            idx = chain.first_covering(cp)
        if idx is None:
            if cat[0] == "M":
                continue
            ch = REPLACEMENT
            idx = chain.first_covering(ord(REPLACEMENT))
            if idx is None:
                ch, idx = "?", chain.first_covering(ord("?")) or 0
        chars.append(ch)
        idxs.append(idx)
        cur = idx
    return "".join(chars), idxs


@dataclass(frozen=True)
class Run:
    font: str
    text: str  # what drawString gets: a plain str or a reportlab ShapedStr
    source: str  # the characters the run stands for (for /ActualText)
    width: float  # advance width at 1 pt
    shaped: bool


def _make_run(font: str, text: str) -> Run:
    shape = _shape_str is not None and _uharfbuzz is not None and (
        font in _COMPLEX or any(_is_mark(c) for c in text)
    )
    if shape:
        shaped = _shape_str(text, font, 10)
        if isinstance(shaped, ShapedStr):
            width = sum(sd.x_advance for sd in shaped.__shapeData__) / 1000.0
            return Run(font, shaped, text, width, True)
    return Run(font, text, text, pdfmetrics.stringWidth(text, font, 1), False)


def make_runs(text: str, idxs: list[int], chain: FontChain) -> list[Run]:
    """Group characters of an already font-assigned text into (shaped) runs."""
    runs: list[Run] = []
    start = 0
    n = len(text)
    for i in range(1, n + 1):
        if i == n or idxs[i] != idxs[start]:
            runs.append(_make_run(chain.names[idxs[start]], text[start:i]))
            start = i
    return runs


def split_runs(text: str, chain: tuple[str, ...] = REGULAR) -> list[tuple[str, str]]:
    """Split ``text`` into ``(font name, text)`` runs after cleaning and fallback."""
    fc = get_chain(chain)
    drawn, idxs = assign_fonts(clean_text(text), fc)
    return [(r.font, r.source) for r in make_runs(drawn, idxs, fc)]


def missing_glyphs(text: str | None) -> set[str]:
    """Characters of ``text`` that no bundled font can draw (shown as U+FFFD on the badge).

    Control and invisible formatting characters are ignored: they are removed
    before drawing.  Use this to warn an organiser before printing.
    """
    cleaned = clean_text(text)
    missing: set[str] = set()
    for names in (REGULAR, BOLD):
        fc = get_chain(names)
        missing.update(ch for ch in cleaned if not fc.covers(ord(ch)))
    return missing


@dataclass(frozen=True)
class GlyphWarning:
    registration: Registration
    characters: str  # those no installed font can draw, space-separated, as they appear


def glyph_warnings(registrations: Iterable[Registration]) -> list[GlyphWarning]:
    """People whose badge text needs a script no installed font covers."""
    out = []
    for reg in registrations:
        text = f"{reg.display_name}{reg.native_name}{reg.organisation}"
        missing = missing_glyphs(text)
        if missing:
            in_order = dict.fromkeys(ch for ch in text if ch in missing)
            out.append(GlyphWarning(reg, " ".join(in_order)))
    return out
