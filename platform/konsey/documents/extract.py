"""Text of uploaded files, for the search index.

Bounded (characters, pages, decompressed bytes) and forgiving: a file whose
text cannot be read is still a good upload, it is just found by its title.
"""

from __future__ import annotations

import logging
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from konsey.documents import files

MAX_CHARS = 200_000
MAX_PDF_PAGES = 300
# pypdf reads a whole file into memory: larger PDFs are found by title only.
MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_XML_BYTES = 50 * 1024 * 1024  # decompressed size of the document's XML part

log = logging.getLogger(__name__)
_SPACE_RE = re.compile(r"[ \t\r\f\v]+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def extract_text(path: Path, kind: files.FileKind) -> str:
    try:
        if kind is files.PDF:
            text = _pdf(path) if _worth_parsing(path) else ""
        elif kind is files.DOCX:
            text = _xml_part(path, "word/document.xml", _OOXML_PARAGRAPH, _OOXML_TEXT)
        elif kind is files.PPTX:
            text = _pptx(path)
        elif kind in (files.ODT, files.ODP):
            text = _xml_part(path, "content.xml", _ODF_PARAGRAPHS, None)
        elif kind in (files.TEXT, files.CSV):
            with path.open("rb") as fh:
                text = fh.read(MAX_CHARS * 4).decode("utf-8", "ignore")
        else:
            return ""
    except Exception:  # a damaged or hostile file: no text, but the upload stands
        log.warning("no text extracted from %s (%s)", path.name, kind.label, exc_info=True)
        return ""
    return _normalise(text)


def _normalise(text: str) -> str:
    text = _CONTROL_RE.sub(" ", text[: MAX_CHARS * 2])
    lines = (_SPACE_RE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)[:MAX_CHARS]


def _worth_parsing(path: Path) -> bool:
    """Small enough, and ends like a PDF (else pypdf would search it all in vain)."""
    size = path.stat().st_size
    if size > MAX_PDF_BYTES:
        return False
    with path.open("rb") as fh:
        fh.seek(max(0, size - 2048))
        return b"%%EOF" in fh.read()


def _pdf(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path)
    parts: list[str] = []
    size = 0
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES or size >= MAX_CHARS:
            break
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
    return "\n".join(parts)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_OOXML_PARAGRAPH = {_W + "p"}
_OOXML_TEXT = {_W + "t"}
_ODF_PARAGRAPHS = {_TEXT_NS + "p", _TEXT_NS + "h"}


def _xml_part(path: Path, member: str, paragraphs: set[str], text_tags: set[str] | None) -> str:
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
        if info.file_size > MAX_XML_BYTES:
            return ""
        with archive.open(info) as fh:
            return _xml_text(fh, paragraphs, text_tags)


def _pptx(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        slides = sorted(
            (
                i
                for i in archive.infolist()
                if re.fullmatch(r"ppt/slides/slide\d+\.xml", i.filename)
            ),
            key=lambda i: int(re.sub(r"\D", "", i.filename) or 0),
        )
        parts, budget = [], MAX_XML_BYTES
        for info in slides:
            budget -= info.file_size
            if budget < 0:
                break
            with archive.open(info) as fh:
                parts.append(_xml_text(fh, {_A + "p"}, {_A + "t"}))
        return "\n".join(parts)


def _xml_text(stream, paragraphs: set[str], text_tags: set[str] | None) -> str:
    """Paragraph texts, streamed with iterparse (documents can be large).

    Expat does not fetch external entities and limits entity expansion
    (billion laughs) since 2.4; a DOCTYPE has no business in these files anyway.
    """
    parts: list[str] = []
    size = 0
    parser = ElementTree.XMLPullParser(events=("end",))
    while size < MAX_CHARS and (chunk := stream.read(64 * 1024)):
        if b"<!DOCTYPE" in chunk or b"<!ENTITY" in chunk:
            return ""
        parser.feed(chunk)
        for _event, element in parser.read_events():
            if element.tag in paragraphs:
                if text_tags is None:
                    text = "".join(element.itertext())
                else:
                    text = "".join(e.text or "" for e in element.iter() if e.tag in text_tags)
                parts.append(text)
                size += len(text)
                element.clear()
    return "\n".join(parts)
