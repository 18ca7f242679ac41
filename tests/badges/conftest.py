"""Read rendered badge PDFs back the way a client would: poppler, pypdf, zxing-cpp."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest

XHTML = "{http://www.w3.org/1999/xhtml}"


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} not installed (Debian: apt-get install poppler-utils)")


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


@dataclass
class Word:
    text: str
    x0: float
    y0: float  # top-down coordinates, as poppler reports them
    x1: float
    y1: float


@dataclass
class Block:
    lines: list[list[Word]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Words joined by single spaces, lines joined by a space."""
        return " ".join(" ".join(w.text for w in line) for line in self.lines)

    @property
    def text_nospace_lines(self) -> str:
        return "".join(" ".join(w.text for w in line) for line in self.lines)

    @property
    def words(self) -> list[Word]:
        return [w for line in self.lines for w in line]


class PdfProbe:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self._n = 0

    def _write(self, pdf: bytes) -> Path:
        self._n += 1
        p = self.tmp / f"probe{self._n}.pdf"
        p.write_bytes(pdf)
        return p

    def text(self, pdf: bytes) -> str:
        need("pdftotext")
        path = self._write(pdf)
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            check=True, capture_output=True,
        ).stdout.decode("utf-8")

    def blocks(self, pdf: bytes) -> list[list[Block]]:
        """Text blocks per page from ``pdftotext -bbox-layout``."""
        need("pdftotext")
        path = self._write(pdf)
        out = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-bbox-layout", str(path), "-"],
            check=True, capture_output=True,
        ).stdout.decode("utf-8")
        out = re.sub(r"<!DOCTYPE[^>]*>", "", out, count=1)
        root = ET.fromstring(out)
        pages = []
        for page in root.iter(f"{XHTML}page"):
            blocks = []
            for b in page.iter(f"{XHTML}block"):
                blk = Block()
                for line in b.iter(f"{XHTML}line"):
                    blk.lines.append([
                        Word(w.text or "", float(w.get("xMin")), float(w.get("yMin")),
                             float(w.get("xMax")), float(w.get("yMax")))
                        for w in line.iter(f"{XHTML}word")
                    ])
                blocks.append(blk)
            pages.append(blocks)
        return pages

    def fonts(self, pdf: bytes) -> list[tuple[str, str]]:
        """(font name, emb column) for every font ``pdffonts`` lists."""
        need("pdffonts")
        path = self._write(pdf)
        out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                             text=True).stdout.splitlines()
        rows = []
        for line in out[2:]:
            tok = line.split()
            if tok:
                rows.append((tok[0], tok[-5]))  # name ... emb sub uni obj gen
        return rows

    def qr_codes(self, pdf: bytes, dpi: int = 150) -> list[list[str]]:
        """Decoded QR texts per page (rendered with pdftoppm, decoded with zxing-cpp).

        Pages are rendered grey into uncompressed PGM: compressing colour PNGs was most of
        the 500-badge test's time (500 pages: 112 s as PNG, 2 s as PGM)."""
        need("pdftoppm")
        zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp not installed")
        image = pytest.importorskip("PIL.Image", reason="Pillow not installed")
        path = self._write(pdf)
        prefix = self.tmp / f"page{self._n}"
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(path), str(prefix)],
                       check=True, capture_output=True)
        pages = sorted(self.tmp.glob(f"page{self._n}-*.pgm"),
                       key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        result = []
        for page in pages:
            with image.open(page) as img:
                codes = zxingcpp.read_barcodes(img)
            result.append(sorted(c.text for c in codes
                                 if c.format == zxingcpp.BarcodeFormat.QRCode))
        return result


@pytest.fixture
def probe(tmp_path: Path) -> PdfProbe:
    return PdfProbe(tmp_path)
