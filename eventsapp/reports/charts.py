"""Horizontal bar charts as SVG: pure functions of labelled numbers, drawn without scripts.

The SVG carries <title>/<desc> and role="img" so a screen reader announces it;
the page shows the same numbers in a table next to it. Every piece of text is
XML-escaped here, which is what makes the result safe to insert as Markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

ROW = 22  # px per bar, label included
BAR = 14
LABEL_W = 210
PLOT_W = 300
VALUE_W = 50
TOP = 8
# Colours with >= 4.5:1 contrast on the chart's own white panel (WCAG 1.4.3 / 1.4.11).
BAR_FILL = "#1d4ed8"
TEXT_FILL = "#1f2937"
RULE = "#6b7280"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


def bar_chart_svg(bars: Sequence[Bar], *, chart_id: str, title: str, desc: str,
                  limit: int | None = None, limit_label: str = "") -> Markup:
    """One horizontal bar per item; `limit` draws a dashed line (e.g. the capacity)."""
    scale_max = max([b.value for b in bars] + [limit or 0, 1])
    height = TOP * 2 + ROW * max(len(bars), 1) + (16 if limit else 0)
    width = LABEL_W + PLOT_W + VALUE_W
    t_id, d_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id={quoteattr(chart_id)} '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{escape(t_id)} {escape(d_id)}" preserveAspectRatio="xMinYMin meet">',
        f'<title id={quoteattr(t_id)}>{escape(title)}</title>',
        f'<desc id={quoteattr(d_id)}>{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for i, bar in enumerate(bars):
        y = TOP + i * ROW
        w = round(PLOT_W * bar.value / scale_max, 1)
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + BAR - 2}" text-anchor="end" font-size="12" '
            f'fill="{TEXT_FILL}">{escape(bar.label)}</text>'
        )
        if w:
            parts.append(f'<rect x="{LABEL_W}" y="{y}" width="{w}" height="{BAR}" '
                         f'fill="{BAR_FILL}"/>')
        parts.append(f'<text x="{LABEL_W + w + 4}" y="{y + BAR - 2}" font-size="12" '
                     f'fill="{TEXT_FILL}">{bar.value}</text>')
    plot_bottom = TOP + ROW * max(len(bars), 1)
    parts.append(f'<line x1="{LABEL_W}" y1="{TOP - 2}" x2="{LABEL_W}" y2="{plot_bottom}" '
                 f'stroke="{RULE}" stroke-width="1"/>')
    if limit:
        x = round(LABEL_W + PLOT_W * limit / scale_max, 1)
        parts.append(f'<line x1="{x}" y1="{TOP - 2}" x2="{x}" y2="{plot_bottom}" '
                     f'stroke="{TEXT_FILL}" stroke-width="1.5" stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{x}" y="{plot_bottom + 13}" text-anchor="middle" '
                     f'font-size="11" fill="{TEXT_FILL}">{escape(limit_label)}</text>')
    parts.append("</svg>")
    # Every text piece was escaped above, so the whole is safe markup.
    return Markup("".join(parts))  # noqa: S704  # nosec B704
