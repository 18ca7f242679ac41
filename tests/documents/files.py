"""Real files of every allowed type, and bad ones, made in memory."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook
from PIL import Image
from reportlab.pdfgen.canvas import Canvas


def pdf_bytes(text: str = "A meeting paper", pages: int = 1) -> bytes:
    buf = io.BytesIO()
    canvas = Canvas(buf, invariant=True)
    for n in range(pages):
        canvas.drawString(72, 720, f"{text} page {n + 1}")
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def big_pdf(size: int) -> bytes:
    """A valid-looking PDF of exactly `size` bytes (a comment pads it before %%EOF)."""
    head, tail = b"%PDF-1.4\n%", b"\n%%EOF\n"
    return head + b"x" * (size - len(head) - len(tail)) + tail


def _zip(members: dict[str, bytes], *, first: str | None = None,
         compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        if first is not None:
            zf.writestr(zipfile.ZipInfo(first), members.pop(first))  # stored, first
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def docx_bytes(extra: dict[str, bytes] | None = None) -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>",
                 "word/document.xml": b"<w:document/>", **(extra or {})})


def pptx_bytes() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"})


def xlsx_bytes() -> bytes:
    wb = Workbook()
    wb.active["A1"] = "CTAP"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def odf_bytes(mimetype: str = "application/vnd.oasis.opendocument.text") -> bytes:
    return _zip({"mimetype": mimetype.encode(), "content.xml": b"<office:document-content/>"},
                first="mimetype")


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def jpeg_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 30, 200)).save(buf, "JPEG")
    return buf.getvalue()


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 50 + b"PE\x00\x00" + \
    b"\x00" * 200


def zip_bomb() -> bytes:
    """A DOCX whose one part unpacks from a few KB to 40 MB."""
    return docx_bytes({"word/media/zeros.bin": b"\x00" * 40_000_000})


def overlapping_zip() -> bytes:
    """A DOCX whose second part's central directory entry points at the first part's data:
    the trick of non-recursive zip bombs (many entries, one compressed kernel)."""
    data = bytearray(_zip({"[Content_Types].xml": b"<Types/>",
                           "word/document.xml": b"<w:document/>" * 10},
                          compression=zipfile.ZIP_STORED))
    entry = data.rfind(b"PK\x01\x02")  # the last central directory entry: word/document.xml
    data[entry + 42:entry + 46] = (0).to_bytes(4, "little")  # its local header offset
    return bytes(data)
