"""A letter as a PDF (reportlab): letterhead, number and date, body, signatory.

Pure: values in, bytes out. User text reaches reportlab only through `reports.pdf.para`,
which escapes it and sets each run in the badge font that has its glyphs, so names in
every script of the region render.
"""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, SimpleDocTemplate, Spacer

from ..badges.fonts import register_fonts
from ..reports.pdf import BODY, para

MARGIN = 20 * mm
LETTERHEAD_MAX_HEIGHT = 35 * mm


def letter_pdf(*, title: str, number: str, date: str, body: str, signatory: str,
               signatory_title: str, letterhead: bytes | None, author: str) -> bytes:
    """A4 PDF bytes of one letter; `body` is filled already (paragraphs split on blank
    lines, line breaks kept)."""
    register_fonts()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN, title=f"{title} {number}",
                            author=author, creator="eventsapp", lang="en",
                            initialFontName=BODY)
    story: list = []
    if letterhead:
        reader = ImageReader(io.BytesIO(letterhead))
        w, h = reader.getSize()
        width = doc.width
        height = width * h / w if w else LETTERHEAD_MAX_HEIGHT
        if height > LETTERHEAD_MAX_HEIGHT:
            width, height = width * LETTERHEAD_MAX_HEIGHT / height, LETTERHEAD_MAX_HEIGHT
        story += [Image(io.BytesIO(letterhead), width=width, height=height), Spacer(1, 6 * mm)]
    story += [para(f"No. {number}"), para(date), Spacer(1, 6 * mm), para(title, "h2"),
              Spacer(1, 2 * mm)]
    for paragraph in body.split("\n\n"):
        if paragraph.strip():
            story.append(para(paragraph.strip()))
    story.append(Spacer(1, 14 * mm))
    if signatory:
        story.append(para(signatory, bold=True))
    if signatory_title:
        story.append(para(signatory_title))
    doc.build(story)
    return buf.getvalue()
