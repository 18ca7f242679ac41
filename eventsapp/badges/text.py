"""Fit user text into a box: wrap to a few lines, shrink to fit, never overflow.

Widths scale linearly with the font size, so everything is measured once at 1 pt.
Line breaks are allowed after spaces and around CJK characters, nowhere else: the
text shrinks before a word is broken ("Guadalupe" never becomes "Guadalup / e").
Only a word wider than the box at ``min_size`` is broken between grapheme clusters
(CSS ``overflow-wrap: anywhere``), and ``TextBlock.split_word`` says so. If the text
cannot fit even at ``min_size``, as many lines as the box holds are drawn at
``min_size`` and the last one ends with an ellipsis.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from .fonts import ELLIPSIS, FontChain, Run, assign_fonts, clean_text, get_chain, make_runs

#: Longer input can never fit on a badge (about 900 characters fill an A6 name box
#: at 6 pt); cutting it first keeps pathological input cheap.
MAX_CHARS = 1000
LEADING = 1.2  # baseline-to-baseline distance, in font sizes


@dataclass(frozen=True)
class Line:
    runs: tuple[Run, ...]
    width: float  # at 1 pt


@dataclass(frozen=True)
class TextBlock:
    lines: tuple[Line, ...]
    size: float
    ascent: float  # fractions of the font size
    descent: float
    truncated: bool = False
    split_word: bool = False  # a word wider than the box at the smallest size was broken

    @property
    def height(self) -> float:
        return (self.ascent + self.descent + (len(self.lines) - 1) * LEADING) * self.size

    @property
    def width(self) -> float:
        return max(line.width for line in self.lines) * self.size

    @property
    def text(self) -> str:
        return "\n".join("".join(r.source for r in line.runs) for line in self.lines)


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x2E80 <= cp <= 0x9FFF  # radicals, kana, CJK symbols, unified ideographs
        or 0xAC00 <= cp <= 0xD7AF  # Hangul syllables
        or 0xF900 <= cp <= 0xFAFF
        or 0xFF00 <= cp <= 0xFFEF
        or 0x20000 <= cp <= 0x3FFFF
    )


class _Measured:
    """Text split into grapheme-ish clusters (base + following marks) with widths."""

    def __init__(self, text: str, chain: FontChain):
        self.chain = chain
        self.text, self.idxs = assign_fonts(text, chain)
        starts: list[int] = []
        widths: list[float] = []
        for i, ch in enumerate(self.text):
            w = chain.char_width(self.idxs[i], ord(ch))
            if starts and unicodedata.category(ch)[0] == "M":
                widths[-1] += w
            else:
                starts.append(i)
                widths.append(w)
        self.starts = starts
        self.widths = widths
        self.k = len(starts)
        self.space = [self.text[s] == " " for s in starts]
        cjk = [_is_cjk(self.text[s]) for s in starts]
        self.brk = [False] + [
            self.space[j - 1] or cjk[j] or cjk[j - 1] for j in range(1, self.k)
        ]
        used = set(self.idxs)
        fonts = [chain.names[i] for i in sorted(used)]
        faces = [pdfmetrics.getFont(f).face for f in fonts] or [
            pdfmetrics.getFont(chain.names[0]).face
        ]
        # The widest stretch between two break opportunities: no line can be narrower
        # without breaking a word.
        self.widest_word = 0.0
        run = 0.0
        for j in range(self.k):
            if self.brk[j]:
                self.widest_word = max(self.widest_word, run)
                run = 0.0
            if not self.space[j]:
                run += widths[j]
        self.widest_word = max(self.widest_word, run)
        self.ascent = max(f.ascent for f in faces) / 1000.0
        self.descent = max(-f.descent for f in faces) / 1000.0
        self.total = sum(widths)

    def cluster_span(self, a: int, b: int) -> tuple[int, int]:
        """Character range for clusters [a, b)."""
        end = self.starts[b] if b < self.k else len(self.text)
        return self.starts[a], end

    def wrap(self, limit: float, split: bool = True) -> list[tuple[int, int, float]] | None:
        """Greedy line breaking at ``limit`` (1 pt units): [(first, end, width)].

        With ``split`` false, None when a word is wider than ``limit`` (it would have
        to be broken).
        """
        lines: list[tuple[int, int, float]] = []
        k, widths, space, brk = self.k, self.widths, self.space, self.brk
        start = 0
        while start < k:
            while start < k and space[start]:
                start += 1
            if start >= k:
                break
            w = 0.0
            last = None
            j = start
            end = k
            while j < k:
                if j > start and brk[j]:
                    last = j
                if not space[j] and j > start and w + widths[j] > limit:
                    if last is None and not split:
                        return None
                    end = last if last is not None else j
                    break
                w += widths[j]
                j += 1
            e = end
            while e > start and space[e - 1]:
                e -= 1
            lines.append((start, e, sum(widths[start:e])))
            start = end
        return lines


def _height(m: _Measured, n: int, size: float) -> float:
    return (m.ascent + m.descent + (n - 1) * LEADING) * size


def fit_text(
    text: str | None,
    chain: tuple[str, ...],
    box_w: float,
    box_h: float,
    max_size: float,
    min_size: float = 6.0,
    max_lines: int = 2,
    prefer_single: float = 0.8,
) -> TextBlock | None:
    """Lay out ``text`` in a ``box_w`` × ``box_h`` box; ``None`` if there is nothing to draw.

    The size is the largest in [min_size, max_size] at which the text fits in at
    most ``max_lines`` lines; one line is kept if it allows at least
    ``prefer_single`` × that size.
    """
    cleaned = clean_text(text)
    if not cleaned:
        return None
    truncated_input = len(cleaned) > MAX_CHARS
    m = _Measured(cleaned[:MAX_CHARS], get_chain(chain))
    if m.k == 0 or m.total <= 0:
        return None

    def fits(size: float, split: bool) -> list[tuple[int, int, float]] | None:
        lines = m.wrap(box_w / size, split)
        if lines is None or len(lines) > max_lines or _height(m, len(lines), size) > box_h:
            return None
        if max(w for _, _, w in lines) * size > box_w:
            return None
        return lines

    def largest(split: bool) -> float | None:
        if fits(max_size, split) is not None:
            return max_size
        if fits(min_size, split) is None:
            return None
        lo, hi = min_size, max_size
        for _ in range(18):
            mid = (lo + hi) / 2
            if fits(mid, split) is not None:
                lo = mid
            else:
                hi = mid
        return lo

    # Shrink before breaking a word; break one only when even min_size needs it.
    split = False
    best = largest(split=False)
    if best is None:
        split = True
        best = largest(split=True)

    if best is not None and not truncated_input:
        single = min(max_size, box_w / m.total, box_h / _height(m, 1, 1.0))
        if single >= min_size and single >= prefer_single * best:
            return _block(m, [(0, m.k)], single, box_w)
        lines = fits(best, split) or m.wrap(box_w / best)
        n = len(lines)
        if n >= 2:  # balance: narrowest limit that still needs no more lines
            # Never narrower than the widest word, so balancing breaks no word.
            lo, hi = (max(m.widths) if split else m.widest_word), box_w / best
            for _ in range(14):
                mid = (lo + hi) / 2
                trial = m.wrap(mid, split)
                if trial is not None and len(trial) <= n:
                    hi = mid
                else:
                    lo = mid
            lines = m.wrap(hi, split) or lines
        return _block(m, [(a, b) for a, b, _ in lines], best, box_w)

    # Does not fit at min_size: fill the box at min_size and end with an ellipsis.
    size = min(min_size, box_h / _height(m, 1, 1.0))
    limit = box_w / size
    room = max(1, math.floor((box_h / size - m.ascent - m.descent) / LEADING) + 1)
    lines = m.wrap(limit)
    spans = [(a, b) for a, b, _ in lines[:room]]
    truncated = truncated_input or len(lines) > room
    if truncated:
        ell_idx = m.chain.first_covering(ord(ELLIPSIS))
        ell_w = m.chain.char_width(ell_idx, ord(ELLIPSIS)) if ell_idx is not None else 0.0
        a, b = spans[-1]
        while b > a + 1 and sum(m.widths[a:b]) + ell_w > limit:
            b -= 1
        while b > a + 1 and m.space[b - 1]:
            b -= 1
        spans[-1] = (a, b)
    return _block(m, spans, size, box_w, ellipsis=truncated)


def _block(
    m: _Measured, spans: list[tuple[int, int]], size: float, box_w: float,
    ellipsis: bool = False,
) -> TextBlock:
    out: list[Line] = []
    for n, (a, b) in enumerate(spans):
        s, e = m.cluster_span(a, b)
        text, idxs = m.text[s:e], m.idxs[s:e]
        if ellipsis and n == len(spans) - 1:
            ell_idx = m.chain.first_covering(ord(ELLIPSIS))
            if ell_idx is not None:
                text, idxs = text + ELLIPSIS, [*idxs, ell_idx]
        runs = tuple(make_runs(text, idxs, m.chain))
        out.append(Line(runs, sum(r.width for r in runs)))
    widest = max(line.width for line in out)
    if widest * size > box_w:  # shaping changed widths a little: shrink, never overflow
        size = box_w / widest
    # A line that starts where no break is allowed continues a broken word.
    split_word = any(not m.brk[a] for a, _ in spans[1:])
    return TextBlock(tuple(out), size, m.ascent, m.descent, ellipsis, split_word)


def _actual_text(s: str) -> str:
    return "<FEFF" + s.encode("utf-16-be").hex().upper() + ">"


def draw_block(
    c: Canvas, block: TextBlock, x: float, y: float, w: float, h: float,
    align: str = "center",
) -> None:
    """Draw ``block`` vertically centred in the box with bottom-left (x, y)."""
    size = block.size
    top = y + h - (h - block.height) / 2
    baseline = top - block.ascent * size
    for line in block.lines:
        lx = x + (w - line.width * size) / 2 if align == "center" else x
        for run in line.runs:
            if run.shaped:
                # Shaped glyphs may be substituted (private code points); tell text
                # extraction and screen readers what they stand for.
                c.addLiteral(f"/Span <</ActualText {_actual_text(run.source)}>> BDC")
            c.setFont(run.font, size)
            c.drawString(lx, baseline, run.text)
            if run.shaped:
                c.addLiteral("EMC")
            lx += run.width * size
        baseline -= LEADING * size
