"""What a file is, by its content; which names are accepted; safe headers."""

from __future__ import annotations

import io
import zipfile

import pytest

from konsey import storage
from konsey.documents import extract, files, samples
from konsey.documents.download import content_disposition
from konsey.errors import ValidationError


def _sniff(tmp_path, name: str, content: bytes) -> files.FileKind:
    staged = storage.stage(io.BytesIO(content), tmp_path, 10**9)
    return files.sniff(staged.head, staged.path, name, staged.utf8)


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("a.pdf", samples.make_pdf(["x"]), files.PDF),
        ("a", samples.make_pdf(["x"]), files.PDF),  # no extension: the content decides
        ("a.docx", samples.make_docx(["x"]), files.DOCX),
        ("a.odt", samples.make_odt(["x"]), files.ODT),
        ("a.xlsx", _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}), files.XLSX),
        ("a.pptx", _zip({"[Content_Types].xml": b"<x/>", "ppt/slides/s.xml": b"<x/>"}), files.PPTX),
        (
            "a.ods",
            _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
            files.ODS,
        ),
        ("a.png", samples.PNG_1X1, files.PNG),
        ("a.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 20, files.JPEG),
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, files.XLS),
        ("a.csv", "name;state\nАйгүл;KZ\n".encode(), files.CSV),
        ("notes", b"plain text 1 < 2", files.TEXT),
    ],
)
def test_accepted_kinds(tmp_path, name, content, kind):
    assert _sniff(tmp_path, name, content) is kind


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.pdf", b"<html><body>not a pdf</body></html>"),
        ("a.txt", b"\n\n  <svg onload=alert(1)>"),
        ("a.txt", b"hello <script>alert(1)</script>"),
        ("a.zip", _zip({"a.txt": b"x"})),
        ("a.docx", _zip({"word/document.xml": b"<x/>"})),  # no [Content_Types].xml
        ("a.bin", b"\x00\x01\x02\x03"),
        ("a.txt", b"\xff\xfe not utf-8 \x80"),
        ("a.gif", b"GIF89a" + b"\x00" * 10),
        ("a.exe", b"MZ" + b"\x00" * 10),
        ("a.docx", samples.make_pdf(["x"])),
        ("a.doc", samples.PNG_1X1),
    ],
)
def test_refused_kinds(tmp_path, name, content):
    with pytest.raises(ValidationError) as caught:
        _sniff(tmp_path, name, content)
    assert caught.value.field == "file" and caught.value.message


@pytest.mark.parametrize(
    "name",
    ["", "   ", "a/b.pdf", "a\\b.pdf", "a\x00.pdf", "a\nb.pdf", "\u202efdp.exe", "..", "x" * 256],
)
def test_refused_names(name):
    with pytest.raises(ValidationError):
        files.clean_filename(name)


def test_names_are_trimmed_and_normalised():
    assert files.clean_filename("  Отчёт 2017.pdf ") == "Отчёт 2017.pdf"
    assert files.clean_filename("Cafe\u0301.pdf") == "Café.pdf"  # NFC
    assert files.clean_filename("x" * 251 + ".pdf") == "x" * 251 + ".pdf"


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name():
    header = content_disposition('Отчёт "final".pdf')
    assert header.startswith('attachment; filename="')
    assert "filename*=UTF-8''%D0%9E%D1%82%D1%87%D1%91%D1%82%20%22final%22.pdf" in header
    assert '\\"' not in header and header.count('"') == 2


def test_extraction_is_bounded_and_forgiving(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("word " * 200_000)
    assert len(extract.extract_text(big, files.TEXT)) <= extract.MAX_CHARS
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 this is not a zip")
    assert extract.extract_text(broken, files.DOCX) == ""
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(
        _zip(
            {
                "[Content_Types].xml": b"<x/>",
                "word/document.xml": b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
            }
        )
    )
    assert extract.extract_text(bomb, files.DOCX) == ""


def test_storage_settings(monkeypatch, tmp_path):
    from konsey import config

    monkeypatch.setenv("KONSEY_INSTANCE_PATH", str(tmp_path))
    for name in ("KONSEY_STORAGE", "KONSEY_FILES_PATH", "KONSEY_MAX_UPLOAD_BYTES", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = config.from_environment()
    assert settings["STORAGE"] == "local"
    assert settings["FILES_PATH"] == str(tmp_path / "files")
    assert settings["MAX_UPLOAD_BYTES"] == 200 * 1024 * 1024
    monkeypatch.setenv("KONSEY_STORAGE", "s3")
    with pytest.raises(config.ConfigError, match="KONSEY_S3_BUCKET"):
        config.from_environment()
    monkeypatch.setenv("KONSEY_S3_BUCKET", "konsey-documents")
    assert config.from_environment()["S3_BUCKET"] == "konsey-documents"
    monkeypatch.setenv("KONSEY_STORAGE", "ftp")
    with pytest.raises(config.ConfigError):
        config.from_environment()
