"""Small real files made on the spot (demo data, tests): PDF, DOCX, ODT.

DOCX and ODT are written from their specifications' minimum; PDFs by fpdf2,
with an embedded font (konsey.fonts) so that any language's text shows.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from konsey import fonts


def make_pdf(lines: list[str], *, title: str | None = None, language: str | None = None) -> bytes:
    """An A4 PDF whose text is ``lines``, one paragraph each (any text of the
    council's languages), the first one larger as a heading.

    The text is set in DejaVu Sans, embedded (only the glyphs used) with a
    ToUnicode map, so every reader shows it and extraction gives it back.
    ``title`` (default: the first line) and ``language`` (e.g. "ru") go into
    the document's properties. The same arguments give the same bytes.
    """
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    pdf.set_creation_date(_SAMPLE_DATE)  # a fixed date: the same lines, the same file
    pdf.set_margins(72, 72, 72)
    pdf.set_auto_page_break(True, margin=72)
    pdf.add_font("DejaVuSans", fname=fonts.sans_for("".join(lines)))
    if title or lines:
        pdf.set_title(title or lines[0])
    if language:
        pdf.set_lang(language)
    pdf.add_page()
    for number, line in enumerate(lines):
        size = 15 if number == 0 and len(lines) > 1 else 12
        pdf.set_font("DejaVuSans", size=size)
        pdf.multi_cell(0, size * 1.4, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


_SAMPLE_DATE = datetime(2017, 11, 9, tzinfo=UTC)


_DOCX_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels"
 ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml"
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""
_DOCX_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="word/document.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""


def make_docx(paragraphs: list[str]) -> bytes:
    """A Word document with one paragraph per item (any Unicode text)."""
    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _DOCX_TYPES)
        archive.writestr("_rels/.rels", _DOCX_RELS)
        archive.writestr("word/document.xml", document)
    return out.getvalue()


def make_odt(paragraphs: list[str]) -> bytes:
    """An OpenDocument text with one paragraph per item."""
    body = "".join(f"<text:p>{escape(p)}</text:p>" for p in paragraphs)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        # The spec: "mimetype" first and stored uncompressed.
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
