"""Sheet layouts as data.  A new sheet type is one entry in ``LAYOUTS``.

All lengths are PDF points (1/72 in).  ``margin_left``/``margin_top`` place the
top-left badge; badges are filled left to right, then top to bottom.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from types import MappingProxyType

from reportlab.lib.pagesizes import A4, A6, LETTER
from reportlab.lib.units import inch


@dataclass(frozen=True)
class SheetLayout:
    label: str
    page_size: tuple[float, float]  # (width, height)
    badge_size: tuple[float, float]  # (width, height)
    columns: int
    rows: int
    margin_left: float = 0.0
    margin_top: float = 0.0
    gutter_x: float = 0.0
    gutter_y: float = 0.0
    cut_lines: bool = False

    def __post_init__(self) -> None:
        pw, ph = self.page_size
        bw, bh = self.badge_size
        if self.columns < 1 or self.rows < 1:
            raise ValueError("a layout needs at least one column and one row")
        used_w = self.margin_left + self.columns * bw + (self.columns - 1) * self.gutter_x
        used_h = self.margin_top + self.rows * bh + (self.rows - 1) * self.gutter_y
        if used_w > pw + 0.01 or used_h > ph + 0.01:
            raise ValueError(f"layout {self.label!r} does not fit on its page")

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def positions(self) -> Iterator[tuple[float, float]]:
        """Yield the bottom-left origin (PDF coordinates) of each badge slot on one sheet."""
        _, ph = self.page_size
        bw, bh = self.badge_size
        for r in range(self.rows):
            top = ph - self.margin_top - r * (bh + self.gutter_y)
            for c in range(self.columns):
                yield (self.margin_left + c * (bw + self.gutter_x), top - bh)


def _centred(page: tuple[float, float], badge: tuple[float, float], cols: int, rows: int):
    return {
        "margin_left": (page[0] - cols * badge[0]) / 2,
        "margin_top": (page[1] - rows * badge[1]) / 2,
    }


_LETTER_4X3 = (4 * inch, 3 * inch)

LAYOUTS: MappingProxyType[str, SheetLayout] = MappingProxyType({
    "a6": SheetLayout("A6, one badge per page", A6, A6, 1, 1),
    # 2 × 148 mm is 1 mm short of A4's 297 mm: centred, 0.5 mm spare at top and bottom.
    "a6x4": SheetLayout("4 × A6 on A4, with cut lines", A4, A6, 2, 2, cut_lines=True,
                        **_centred(A4, A6, 2, 2)),
    "letter-4x3": SheetLayout(
        "2 × 2 of 4 × 3 in on US Letter, with cut lines", LETTER, _LETTER_4X3, 2, 2,
        cut_lines=True, **_centred(LETTER, _LETTER_4X3, 2, 2),
    ),
})


def get_layout(name: str) -> SheetLayout:
    try:
        return LAYOUTS[name]
    except KeyError:
        raise ValueError(
            f"unknown badge layout {name!r}; choose one of {', '.join(LAYOUTS)}"
        ) from None


def slots(layout: SheetLayout) -> Iterator[tuple[int, float, float]]:
    """Endless generator of (slot index on page, x, y); index 0 starts a new page."""
    while True:
        for i, (x, y) in enumerate(layout.positions()):
            yield i, x, y
