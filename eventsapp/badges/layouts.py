"""Sheet layouts as data.  A new sheet type is one entry in ``LAYOUTS``.

All lengths are PDF points (1/72 in).  ``margin_left``/``margin_top`` place the
top-left badge; badges are filled left to right, then top to bottom.

Office printers cannot print the outer few millimetres of a sheet (about 4–5 mm on
A4 and Letter laser and inkjet printers, more on some).  Nothing is ever drawn
within ``PRINTER_MARGIN`` of the paper's edge: plain-paper sheets keep their whole
grid (and its cut lines) inside it, and on label stock whose labels run closer to
the edge the part of a label inside that margin is left blank
(``SheetLayout.printable``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from types import MappingProxyType

from reportlab.lib.pagesizes import A4, A6, LETTER
from reportlab.lib.units import inch, mm

#: Kept clear on every side of every sheet.
PRINTER_MARGIN = 5 * mm


@dataclass(frozen=True)
class Insets:
    left: float = 0.0
    bottom: float = 0.0
    right: float = 0.0
    top: float = 0.0


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
    #: Paper or card that can take a second side (labels cannot).
    double_sided: bool = True

    def __post_init__(self) -> None:
        pw, ph = self.page_size
        bw, bh = self.badge_size
        if self.columns < 1 or self.rows < 1:
            raise ValueError("a layout needs at least one column and one row")
        used_w = self.margin_left + self.columns * bw + (self.columns - 1) * self.gutter_x
        used_h = self.margin_top + self.rows * bh + (self.rows - 1) * self.gutter_y
        if used_w > pw + 0.01 or used_h > ph + 0.01:
            raise ValueError(f"layout {self.label!r} does not fit on its page")
        if self.cut_lines and any(
            self.printable(x, y) != Insets() for x, y in self.positions()
        ):
            raise ValueError(f"layout {self.label!r}: cut lines would fall in the margin "
                             "printers cannot print")

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

    def back_positions(self) -> Iterator[tuple[float, float]]:
        """Slots of the back of a sheet, in the order of the front's.

        Printers turn a portrait sheet over its long edge: a badge's back is the front's
        slot mirrored left to right.
        """
        pw, _ = self.page_size
        bw, _ = self.badge_size
        for x, y in self.positions():
            yield (pw - x - bw, y)

    def printable(self, x: float, y: float) -> Insets:
        """How far each side of the badge at (x, y) reaches into the unprintable margin."""
        pw, ph = self.page_size
        bw, bh = self.badge_size
        return Insets(
            left=max(0.0, PRINTER_MARGIN - x),
            bottom=max(0.0, PRINTER_MARGIN - y),
            right=max(0.0, x + bw - (pw - PRINTER_MARGIN)),
            top=max(0.0, y + bh - (ph - PRINTER_MARGIN)),
        )


def _grid(page: tuple[float, float], badge: tuple[float, float], cols: int, rows: int,
          *, margin_top: float | None = None) -> dict[str, float]:
    """Centred horizontally; centred vertically unless `margin_top` is given."""
    return {
        "margin_left": (page[0] - cols * badge[0]) / 2,
        "margin_top": (page[1] - rows * badge[1]) / 2 if margin_top is None else margin_top,
    }


# 6 mm: the cut lines stay clear of the 5 mm printers cannot print.
_A4_CUT = 6 * mm
_A4_BADGE = ((A4[0] - 2 * _A4_CUT) / 2, (A4[1] - 2 * _A4_CUT) / 2)  # 99 × 142.5 mm
_IN_4X3 = (4 * inch, 3 * inch)
_IN_4X6 = (4 * inch, 6 * inch)
_L7169 = (99.1 * mm, 139 * mm)

LAYOUTS: MappingProxyType[str, SheetLayout] = MappingProxyType({
    # A6 paper or card, one badge per sheet; the band stops 5 mm short of the edge.
    "a6": SheetLayout("A6 paper or card, one badge per sheet", A6, A6, 1, 1),
    # Four badges that fill A4 but for a 6 mm border; each slides into an A6 holder.
    "a6x4": SheetLayout("4 on A4 paper, 99 × 142.5 mm for A6 holders, with cut lines",
                        A4, _A4_BADGE, 2, 2, cut_lines=True,
                        margin_left=_A4_CUT, margin_top=_A4_CUT),
    # The 4 × 3 in insert grid on US Letter (Avery 5392 and compatible): 1 in top
    # margin, 1/4 in at the sides.
    "letter-4x3": SheetLayout(
        "6 on US Letter, 4 × 3 in inserts (Avery 5392 and compatible), with cut lines",
        LETTER, _IN_4X3, 2, 3, cut_lines=True, **_grid(LETTER, _IN_4X3, 2, 3,
                                                       margin_top=1 * inch),
    ),
    "letter-4x6": SheetLayout(
        "2 on US Letter, 4 × 6 in inserts, with cut lines",
        LETTER, _IN_4X6, 2, 1, cut_lines=True, **_grid(LETTER, _IN_4X6, 2, 1),
    ),
    # Avery L7169: 4 labels of 99.1 × 139 mm, 4.65 mm side and 9.5 mm top margins,
    # 2.5 mm between the columns.
    "avery-l7169": SheetLayout(
        "4 A6 labels on A4, 99.1 × 139 mm (Avery L7169 and compatible)",
        A4, _L7169, 2, 2, margin_left=4.65 * mm, margin_top=9.5 * mm, gutter_x=2.5 * mm,
        double_sided=False,
    ),
    # Edge-to-edge A6 labels (e.g. Avery Zweckform 3483, HERMA's 105 × 148 mm sheets):
    # the outer 5 mm of each label stay blank.
    "a6-labels": SheetLayout(
        "4 A6 labels on A4, 105 × 148 mm edge to edge (Avery Zweckform 3483, HERMA)",
        A4, A6, 2, 2, double_sided=False, **_grid(A4, A6, 2, 2),
    ),
})


def get_layout(name: str) -> SheetLayout:
    try:
        return LAYOUTS[name]
    except KeyError:
        raise ValueError(
            f"unknown badge layout {name!r}; choose one of {', '.join(LAYOUTS)}"
        ) from None

