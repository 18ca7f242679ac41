"""What an uploaded file is, judged by its content, and whether we take it.

The allow-list: PDF, Word/Excel/PowerPoint (OOXML: DOCX, XLSX, PPTX), OpenDocument
(ODT, ODS, ODP), PNG and JPEG. The leading bytes are identified with puremagic (a
well-kept pure-Python signature database); a ZIP container is then told apart by its
central directory, which `zipfile` reads without unpacking any member, so a zip bomb is
refused from its declared sizes (and overlapping members, the trick of the
non-recursive bombs) before anything is decompressed. The name the uploader gave is
never trusted for the type: a `.pdf` that is HTML or a program is refused.

A file cut off half-way is refused too: a PDF must end with its `%%EOF` marker, a PNG
with its IEND chunk, a JPEG with its end-of-image marker, and a ZIP's central directory
sits at its very end.
"""

from __future__ import annotations

import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

import puremagic


@dataclass(frozen=True)
class FileKind:
    kind: str  # "pdf", "docx", …
    content_type: str
    extension: str
    label: str


KINDS: dict[str, FileKind] = {k.kind: k for k in (
    FileKind("pdf", "application/pdf", "pdf", "PDF"),
    FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "docx", "Word document"),
    FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "xlsx", "Excel workbook"),
    FileKind("pptx",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation",
             "pptx", "PowerPoint presentation"),
    FileKind("odt", "application/vnd.oasis.opendocument.text", "odt", "OpenDocument text"),
    FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet", "ods",
             "OpenDocument spreadsheet"),
    FileKind("odp", "application/vnd.oasis.opendocument.presentation", "odp",
             "OpenDocument presentation"),
    FileKind("png", "image/png", "png", "PNG image"),
    FileKind("jpeg", "image/jpeg", "jpg", "JPEG image"),
)}
ALLOWED_LABEL = "PDF, Word, Excel, PowerPoint, OpenDocument, PNG or JPEG"
EXTENSIONS = {"pdf": "pdf", "docx": "docx", "xlsx": "xlsx", "pptx": "pptx", "odt": "odt",
              "ods": "ods", "odp": "odp", "png": "png", "jpg": "jpeg", "jpeg": "jpeg"}
ODF_TYPES = {KINDS[k].content_type: k for k in ("odt", "ods", "odp")}
OOXML_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx",
               "ppt/presentation.xml": "pptx"}

# Zip limits: members, total declared unpacked size, and unpacked/packed ratio per member.
MAX_MEMBERS = 10_000
MAX_UNPACKED = 500 * 1024 * 1024
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024  # members unpacking to less than this may compress as they like
TAIL = 1024
# What a refused file's content looks like, by puremagic's MIME type, for the message.
SEEN = {"text/html": "an HTML page", "application/vnd.microsoft.portable-executable":
        "a Windows program", "application/x-msdownload": "a Windows program",
        "image/svg+xml": "an SVG image (which can carry scripts)",
        "application/x-executable": "a program"}


class FileRefused(ValueError):
    """The file is not taken; the message says why, for the uploader."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


def detect(stream: BinaryIO, size: int) -> FileKind:
    """The allowed kind of the `size` bytes in the seekable `stream` (left at its start).

    :raises FileRefused: empty, not an allowed type, cut off, a zip bomb, or macros.
    """
    if size <= 0:
        raise FileRefused("The file is empty (0 bytes).")
    stream.seek(0)
    head = stream.read(8192)
    stream.seek(max(size - TAIL, 0))
    tail = stream.read(TAIL)
    stream.seek(0)
    mimes = _mimes(head)
    try:
        if head.startswith(b"%PDF-"):
            if b"%%EOF" not in tail:
                raise FileRefused("The PDF is incomplete: it ends before its end-of-file "
                                  "marker (was the upload cut off?).")
            return KINDS["pdf"]
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            if not tail.endswith(b"IEND\xaeB`\x82"):
                raise FileRefused("The PNG image is incomplete (was the upload cut off?).")
            return KINDS["png"]
        if head.startswith(b"\xff\xd8\xff"):
            if b"\xff\xd9" not in tail:
                raise FileRefused("The JPEG image is incomplete (was the upload cut off?).")
            return KINDS["jpeg"]
        if head.startswith(b"PK\x03\x04"):
            return KINDS[_zip_kind(stream)]
    finally:
        stream.seek(0)
    seen = next((SEEN[m] for m in mimes if m in SEEN), None)
    if seen is None and head.startswith((b"\x7fELF", b"MZ", b"#!")):
        seen = "a program"
    if seen is None and head.lstrip()[:1] == b"<":
        seen = "markup (HTML or XML)"
    what = f" Its content is {seen}." if seen else ""
    raise FileRefused(f"This type of file is not accepted: upload a {ALLOWED_LABEL} file.{what}",
                      415)


def _mimes(head: bytes) -> list[str]:
    try:
        return [m.mime_type for m in puremagic.magic_string(head) if m.mime_type]
    except (puremagic.PureError, ValueError):
        return []


def _zip_kind(stream: BinaryIO) -> str:
    try:
        archive = zipfile.ZipFile(stream)  # reads the central directory only
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise FileRefused("The file is damaged or incomplete: its ZIP directory cannot be "
                          "read (was the upload cut off?).") from exc
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise FileRefused(f"The file holds more than {MAX_MEMBERS:,} parts; it is refused "
                          "as a possible zip bomb.")
    if sum(m.file_size for m in members) > MAX_UNPACKED:
        raise FileRefused("The file would unpack to more than 500 MB; it is refused as a "
                          "possible zip bomb.")
    for m in members:
        if m.file_size > RATIO_FLOOR and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise FileRefused(f"A part of the file ({m.filename[:60]}) is compressed more than "
                              f"{MAX_RATIO} times; it is refused as a possible zip bomb.")
    _no_overlaps(members)
    names = {m.filename for m in members}
    if members and members[0].filename == "mimetype":
        first = members[0]
        if first.file_size <= 100 and first.compress_size <= 100:
            kind = ODF_TYPES.get(archive.read(first).decode("ascii", "replace").strip())
            if kind:
                return kind
    if "[Content_Types].xml" in names:
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise FileRefused("The document contains macros; save it without macros "
                              "(as .docx, .xlsx or .pptx) and upload it again.")
        for part, kind in OOXML_PARTS.items():
            if part in names:
                return kind
    raise FileRefused(f"This ZIP file is not a document: upload a {ALLOWED_LABEL} file.", 415)


def _no_overlaps(members: list[zipfile.ZipInfo]) -> None:
    """Each member's data ends before the next one's header (a local header is at least
    30 bytes plus the name): overlapping members let a small file unpack many times over."""
    end = 0
    for m in sorted(members, key=lambda m: m.header_offset):
        if m.header_offset < end:
            raise FileRefused("The file's parts overlap one another; it is refused as a "
                              "possible zip bomb.")
        end = m.header_offset + 30 + len(m.filename.encode("utf-8")) + m.compress_size


# --- names ------------------------------------------------------------------------------------

# Bidirectional controls make "report<U+202E>fdp.exe" display as "reportexe.pdf".
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")
MAX_FILENAME = 200


def check_filename(name: str, kind: FileKind) -> str:
    """The uploaded file's name, as given, if it is a plain name that agrees with the content.

    :raises FileRefused: a path separator, a control or bidirectional character, too long,
        or an allowed type's extension that the content contradicts.
    """
    name = unicodedata.normalize("NFC", name or "")
    if not name.strip():
        return f"document.{kind.extension}"
    if "/" in name or "\\" in name:
        raise FileRefused("The file name must not contain a path (/ or \\).")
    if any(c in BIDI_CONTROLS for c in name):
        raise FileRefused("The file name contains a right-to-left or other direction "
                          "control character, which can disguise its type; rename the file.")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in name):
        raise FileRefused("The file name contains control or invisible characters (such as "
                          "NUL); rename the file.")
    if name.strip(". ") != name.strip() or name in (".", ".."):
        raise FileRefused("The file name must not begin or end with a dot.")
    if len(name) > MAX_FILENAME:
        raise FileRefused(f"The file name is longer than {MAX_FILENAME} characters.")
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    claimed = EXTENSIONS.get(extension)
    if claimed is not None and claimed != kind.kind:
        raise FileRefused(f"The file is named .{extension} but its content is a {kind.label}; "
                          "check that you chose the right file.", 415)
    return name
