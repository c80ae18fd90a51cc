"""Hostile files for the extraction limits, generated (small on disk, costly to parse)."""

from __future__ import annotations

import io
import zipfile
import zlib


def pdf_shared_stream(pages: int, stream_bytes: int, *, distinct: bool = False) -> bytes:
    """A PDF whose pages all draw one content stream of empty text operators
    (or, ``distinct``, each its own such stream), Flate-compressed to little."""
    ops = b"BT ET " * (stream_bytes // 6)
    objects: list[bytes] = []
    streams = pages if distinct else 1
    first_stream = 3 + pages
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    for i in range(pages):
        content = first_stream + (i if distinct else 0)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Contents {content} 0 R "
            f"/Resources << /Font << /F1 {first_stream + streams} 0 R >> >> >>".encode()
        )
    for i in range(streams):
        data = zlib.compress(ops + f"% {i}\n".encode(), 9)
        objects.append(
            f"<< /Length {len(data)} /Filter /FlateDecode >>\nstream\n".encode()
            + data
            + b"\nendstream"
        )
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return _pdf(objects)


def pdf_with_text(lines: list[str]) -> bytes:
    body = (
        b"BT /F1 12 Tf 72 720 Td 14 TL "
        + b"".join(b"(" + line.encode("latin-1") + b") Tj T* " for line in lines)
        + b"ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(body)} >>\nstream\n".encode() + body + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return _pdf(objects)


def _pdf(objects: list[bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def docx(document_xml: bytes, *, declared_size: int | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("word/document.xml", document_xml)
    return buffer.getvalue()


def docx_with_text(paragraphs: list[str]) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    return docx(f'<w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>'.encode())


def docx_empty_elements(count: int) -> bytes:
    """Millions of empty elements (not paragraphs), then a paragraph of text."""
    head = f'<w:document xmlns:w="{_W}"><w:body><w:p><w:r><w:t>early</w:t></w:r></w:p>'
    tail = "<w:p><w:r><w:t>late</w:t></w:r></w:p></w:body></w:document>"
    return docx(head.encode() + b"<w:x/>" * count + tail.encode())


def docx_zip_bomb(uncompressed: int) -> bytes:
    """One paragraph whose text is ``uncompressed`` bytes of spaces (compresses ~1000:1)."""
    head = f'<w:document xmlns:w="{_W}"><w:body><w:p><w:r><w:t>bomb'
    tail = "</w:t></w:r></w:p></w:body></w:document>"
    return docx(head.encode() + b" " * uncompressed + tail.encode())
