"""Text of uploaded files, for the search index: the parsing itself.

This runs only in the extraction child process (``extract_child``), never in
a web or worker process: the sandbox around it sets CPU-time and memory
limits. Inside, every parser works to a budget (characters out, pages,
content-stream bytes and operators for PDFs, XML elements and decompressed
bytes for office files) and stops when it is spent, keeping the text so far.
Text is yielded piece by piece, so whatever was found before a limit struck
is not lost.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from konsey.documents import files


@dataclass(frozen=True)
class Budget:
    max_chars: int = 200_000
    max_pdf_pages: int = 300
    max_pdf_bytes: int = 20 * 1024 * 1024  # file size; pypdf reads it all
    max_content_bytes: int = 4 * 1024 * 1024  # decoded page content, per file
    max_operators: int = 200_000  # PDF content operators, per file
    max_xml_bytes: int = 50 * 1024 * 1024  # decompressed XML, per file
    max_elements: int = 1_000_000  # XML elements, per file
    max_depth: int = 200


class BudgetSpent(Exception):
    """A budget ran out: the text so far stands, the version is 'limited'."""


_SPACE_RE = re.compile(r"[ \t\r\f\v]+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def normalise(text: str) -> str:
    text = _CONTROL_RE.sub(" ", text)
    lines = (_SPACE_RE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def pieces(path: Path, media_type: str, budget: Budget) -> Iterator[str]:
    """The file's text in pieces; raises BudgetSpent when a budget runs out."""
    if media_type == files.PDF.media_type:
        yield from _pdf(path, budget)
    elif media_type == files.DOCX.media_type:
        yield from _xml_parts(path, ["word/document.xml"], _OOXML_P, _OOXML_T, budget)
    elif media_type == files.PPTX.media_type:
        yield from _xml_parts(path, _slides(path), {_A + "p"}, {_A + "t"}, budget)
    elif media_type in (files.ODT.media_type, files.ODP.media_type):
        yield from _xml_parts(path, ["content.xml"], _ODF_P, None, budget)
    elif media_type in (files.TEXT.media_type, files.CSV.media_type):
        with path.open("rb") as fh:
            yield fh.read(budget.max_chars * 4).decode("utf-8", "ignore")


# PDF -------------------------------------------------------------------------------
def _worth_parsing(path: Path, budget: Budget) -> bool:
    """Small enough, and ends like a PDF (else pypdf would search it all in vain)."""
    size = path.stat().st_size
    if size > budget.max_pdf_bytes:
        return False
    with path.open("rb") as fh:
        fh.seek(max(0, size - 2048))
        return b"%%EOF" in fh.read()


def _content_refs(page) -> tuple:
    """What identifies a page's content: the indirect objects it draws."""
    from pypdf.generic import ArrayObject, IndirectObject

    raw = page.get("/Contents")
    items = raw if isinstance(raw, ArrayObject) else [raw]
    return tuple((i.idnum, i.generation) if isinstance(i, IndirectObject) else id(i) for i in items)


def _pdf(path: Path, budget: Budget) -> Iterator[str]:
    from pypdf import PdfReader

    if not _worth_parsing(path, budget):
        return
    reader = PdfReader(path)
    content_bytes = operators = 0
    seen: set[tuple] = set()

    def count(*_args) -> None:
        nonlocal operators
        operators += 1
        if operators > budget.max_operators:
            raise BudgetSpent("operators")

    for number, page in enumerate(reader.pages):
        if number >= budget.max_pdf_pages:
            raise BudgetSpent("pages")
        refs = _content_refs(page)
        if refs in seen:  # pages that share one content stream: its text once
            continue
        seen.add(refs)
        contents = page.get_contents()
        content_bytes += len(contents.get_data()) if contents is not None else 0
        if content_bytes > budget.max_content_bytes:
            raise BudgetSpent("content bytes")
        yield (page.extract_text(visitor_operand_before=count) or "") + "\n"


# Office XML ----------------------------------------------------------------------
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_OOXML_P = {_W + "p"}
_OOXML_T = {_W + "t"}
_ODF_P = {_TEXT_NS + "p", _TEXT_NS + "h"}


def _slides(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)]
    return sorted(names, key=lambda n: int(re.sub(r"\D", "", n) or 0))


def _xml_parts(path, members, paragraphs, text_tags, budget: Budget) -> Iterator[str]:
    counter = _XmlCounter(budget)
    with zipfile.ZipFile(path) as archive:
        for member in members:
            info = archive.getinfo(member)
            # The declared size may lie (a zip bomb): bytes are counted as read, too.
            if counter.xml_bytes + info.file_size > budget.max_xml_bytes:
                raise BudgetSpent("xml bytes")
            with archive.open(info) as fh:
                yield from _xml_text(fh, paragraphs, text_tags, counter)


class _XmlCounter:
    def __init__(self, budget: Budget):
        self.budget = budget
        self.xml_bytes = 0
        self.elements = 0

    def read(self, stream) -> bytes:
        chunk = stream.read(64 * 1024)
        self.xml_bytes += len(chunk)
        if self.xml_bytes > self.budget.max_xml_bytes:
            raise BudgetSpent("xml bytes")
        return chunk


def _xml_text(stream, paragraphs, text_tags, counter: _XmlCounter) -> Iterator[str]:
    """Paragraph texts, streamed; every element is cleared and detached from its
    parent as soon as its text (and tail) is taken, so memory stays flat however
    many elements a file has. ``text_tags``: only these elements' text counts
    (OOXML ``w:t``); None: all text inside a paragraph, in order (ODF).

    Expat does not fetch external entities and limits entity expansion
    (billion laughs) since 2.4; a DOCTYPE has no business in these files anyway.
    """
    parser = ElementTree.XMLPullParser(events=("start", "end"))
    stack: list[list] = []  # [element, its text taken?]
    pending = None  # the last closed element: its tail comes later, then it goes
    in_paragraph = 0
    paragraph: list[str] = []

    def take(text, owner) -> None:
        if text and in_paragraph and (text_tags is None or owner.tag in text_tags):
            paragraph.append(text)

    def flush_pending() -> None:
        nonlocal pending
        if pending is not None:
            if stack:
                take(pending.tail, stack[-1][0])
                stack[-1][0].remove(pending)
            pending.clear()
            pending = None

    while chunk := counter.read(stream):
        if b"<!DOCTYPE" in chunk or b"<!ENTITY" in chunk:
            return
        parser.feed(chunk)
        for event, element in parser.read_events():
            flush_pending()
            if event == "start":
                counter.elements += 1
                if counter.elements > counter.budget.max_elements:
                    raise BudgetSpent("elements")
                if len(stack) >= counter.budget.max_depth:
                    raise BudgetSpent("depth")
                if stack and not stack[-1][1]:
                    take(stack[-1][0].text, stack[-1][0])
                    stack[-1][1] = True
                stack.append([element, False])
                in_paragraph += element.tag in paragraphs
                continue
            _, taken = stack.pop()
            if not taken:
                take(element.text, element)
            if element.tag in paragraphs:
                in_paragraph -= 1
                if not in_paragraph:
                    yield "".join(paragraph) + "\n"
                    paragraph.clear()
            pending = element


MAX_CHARS = Budget.max_chars


def extract_text(path: Path, kind: files.FileKind, budget: Budget | None = None) -> str:
    """All of it at once, in this process (the child's loop, for tools and tests)."""
    budget = budget or Budget()
    parts: list[str] = []
    try:
        for piece in pieces(path, kind.media_type, budget):
            parts.append(piece)
            if sum(map(len, parts)) >= budget.max_chars * 2:
                break
    except BudgetSpent:
        pass
    except Exception:  # a damaged or hostile file: no text, the upload stands
        return ""
    return normalise("".join(parts))[: budget.max_chars]
