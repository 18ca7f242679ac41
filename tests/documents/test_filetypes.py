"""Types judged by content, names checked, zip bombs refused from the directory alone."""

import io

import pytest

from eventsapp.documents.filetypes import KINDS, FileRefused, check_filename, detect
from tests.documents import files


def kind_of(data: bytes) -> str:
    return detect(io.BytesIO(data), len(data)).kind


@pytest.mark.parametrize("make, kind", [
    (files.pdf_bytes, "pdf"), (files.docx_bytes, "docx"), (files.xlsx_bytes, "xlsx"),
    (files.pptx_bytes, "pptx"), (files.odf_bytes, "odt"),
    (lambda: files.odf_bytes("application/vnd.oasis.opendocument.spreadsheet"), "ods"),
    (lambda: files.odf_bytes("application/vnd.oasis.opendocument.presentation"), "odp"),
    (files.png_bytes, "png"), (files.jpeg_bytes, "jpeg"),
])
def test_allowed_types_are_recognised_by_content(make, kind):
    assert kind_of(make()) == kind


@pytest.mark.parametrize("data, status, words", [
    (files.HTML, 415, "Its content is an HTML page."),
    (files.EXE, 415, "Its content is a Windows program."),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, 415, "Its content is a program."),
    (b"", 422, "The file is empty (0 bytes)."),
    (files.pdf_bytes()[:-200], 422, "The PDF is incomplete"),
    (files.png_bytes()[:-10], 422, "The PNG image is incomplete"),
    (files.docx_bytes()[:-30], 422, "its ZIP directory cannot be read"),
    (files.zip_bomb(), 422, "refused as a possible zip bomb"),
    (files.overlapping_zip(), 422, "parts overlap one another"),
    (files.docx_bytes({"word/vbaProject.bin": b"macro"}), 422, "contains macros"),
    (files._zip({"readme.txt": b"hello"}), 415, "This ZIP file is not a document"),
])
def test_bad_files_are_refused_with_a_reason(data, status, words):
    with pytest.raises(FileRefused) as refused:
        kind_of(data)
    assert refused.value.status == status
    assert words in str(refused.value)


def test_zip_bomb_is_judged_without_unpacking_it(monkeypatch):
    """The check reads the central directory only: decompressing anything fails the test."""
    import zipfile

    bomb = files.zip_bomb()

    def no_unpacking(*_args, **_kwargs):
        raise AssertionError("a member was decompressed")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_unpacking)
    with pytest.raises(FileRefused, match="zip bomb"):
        kind_of(bomb)


@pytest.mark.parametrize("name, words", [
    ("../../etc/passwd.pdf", "must not contain a path"),
    ("C:\\Users\\report.pdf", "must not contain a path"),
    ("report\x00.pdf", "control or invisible characters"),
    ("report\u202efdp.exe", "direction control"),
    ("invoice\u2066.pdf", "direction control"),
    (".hidden.pdf", "must not begin or end with a dot"),
    ("x" * 201 + ".pdf", "longer than 200 characters"),
    ("minutes.docx", "named .docx but its content is a PDF"),
])
def test_unsafe_or_misleading_names_are_refused(name, words):
    with pytest.raises(FileRefused, match=words.replace(".", r"\.").replace("(", r"\(")):
        check_filename(name, KINDS["pdf"])


def test_plain_names_in_any_script_are_kept():
    assert check_filename("Informe preliminar — Chile.pdf", KINDS["pdf"]) == \
        "Informe preliminar — Chile.pdf"
    assert check_filename("戦略的貿易管理", KINDS["pdf"]) == "戦略的貿易管理"
    assert check_filename("", KINDS["docx"]) == "document.docx"
