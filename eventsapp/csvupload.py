"""Reading a CSV file someone uploaded (invitation lists, online attendance reports): the
checks every such upload needs before its rows mean anything.

Spreadsheets save "CSV UTF-8" with a byte-order mark, and other encodings look like UTF-8
until a byte does not fit, so the file is decoded strictly (`utf-8-sig`) and the first
byte that cannot be read is named; a NUL is binary data (an .xlsx renamed .csv).
"""

from __future__ import annotations

import csv
import io


class CsvUploadError(ValueError):
    """The upload cannot be read; the message says why, for the person who uploaded it."""


def read_rows(data: bytes, *, max_bytes: int, size_hint: str = "") -> list[tuple[int, list[str]]]:
    """The file's non-empty rows with their line numbers (1 is the first line).

    :param size_hint: said after the size limit, e.g. " (2,000 addresses)".
    :raises CsvUploadError: larger than `max_bytes`, not UTF-8 text, binary, or not CSV.
    """
    if len(data) > max_bytes:
        raise CsvUploadError(f"The file is {len(data) // 1000:,} kB; upload at most "
                             f"{max_bytes // 1000:,} kB{size_hint}.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvUploadError(
            f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read). In your "
            "spreadsheet, save it as \"CSV UTF-8\" and upload it again.") from exc
    if "\x00" in text:
        raise CsvUploadError("The file is not a CSV text file (it holds binary data); export "
                             "a CSV and upload that.")
    try:
        return [(n, row) for n, row in enumerate(csv.reader(io.StringIO(text)), start=1)
                if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise CsvUploadError(f"The file cannot be read as CSV: {exc}.") from exc
