"""What a file is (by its content, not its name) and whether its name is acceptable."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from konsey.errors import ValidationError

MAX_FILENAME = 255


@dataclass(frozen=True)
class FileKind:
    # Shown in messages, in the reader's language (lazy); not part of the identity.
    label: str = field(compare=False)
    media_type: str
    extensions: frozenset[str]  # accepted name endings (a name without one is fine too)


def _kind(label, media_type, *extensions) -> FileKind:
    return FileKind(label, media_type, frozenset(extensions))


PDF = _kind("PDF", "application/pdf", "pdf")
PNG = _kind("PNG", "image/png", "png")
JPEG = _kind("JPEG", "image/jpeg", "jpg", "jpeg")
DOCX = _kind(
    _l("Word (DOCX)"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
)
XLSX = _kind(
    _l("Excel (XLSX)"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
)
PPTX = _kind(
    _l("PowerPoint (PPTX)"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pptx",
)
ODT = _kind(_l("OpenDocument text"), "application/vnd.oasis.opendocument.text", "odt")
ODS = _kind(_l("OpenDocument spreadsheet"), "application/vnd.oasis.opendocument.spreadsheet", "ods")
ODP = _kind(
    _l("OpenDocument presentation"), "application/vnd.oasis.opendocument.presentation", "odp"
)
DOC = _kind(_l("Word (DOC)"), "application/msword", "doc", "dot")
XLS = _kind(_l("Excel (XLS)"), "application/vnd.ms-excel", "xls", "xlt")
PPT = _kind(_l("PowerPoint (PPT)"), "application/vnd.ms-powerpoint", "ppt", "pot", "pps")
TEXT = _kind(_l("text"), "text/plain", "txt", "text", "md", "log")
CSV = _kind("CSV", "text/csv", "csv", "tsv")

ALLOWED_LABELS = _l("PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, plain text, CSV")

_OPEN_DOCUMENT = {k.media_type: k for k in (ODT, ODS, ODP)}
_OOXML_FOLDERS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Text that a browser could take for a page or an image with scripts.
_MARKUP_RE = re.compile(
    rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|\?xml|meta)\b", re.I
)


def sniff(head: bytes, path: Path, filename: str, utf8: bool) -> FileKind:
    """The kind of the staged file at ``path``, from its content; refuse the rest."""
    extension = Path(filename).suffix.lower().lstrip(".")
    if head.startswith(b"%PDF-"):
        kind = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(path)
    elif head.startswith(_OLE_MAGIC):
        # Legacy Office files share one container; only the name tells which.
        kind = next((k for k in (DOC, XLS, PPT) if extension in k.extensions), None)
        if kind is None:
            raise ValidationError(
                _("This looks like a legacy Office file; name it .doc, .xls or .ppt."), "file"
            )
    elif utf8 and b"\x00" not in head:
        if _MARKUP_RE.search(head) or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            raise ValidationError(
                _("HTML, SVG and XML files are not accepted; upload a PDF instead."), "file"
            )
        kind = CSV if extension in CSV.extensions else TEXT
    else:
        kind = None
    if kind is None:
        raise ValidationError(
            _("This kind of file is not accepted. Accepted: %(kinds)s.", kinds=ALLOWED_LABELS),
            "file",
        )
    if extension and extension not in kind.extensions:
        raise ValidationError(
            _(
                "The file is named .%(ext)s but its content is %(kind)s; "
                "rename it or upload the right file.",
                ext=extension[:20],
                kind=kind.label,
            ),
            "file",
        )
    return kind


def _zip_kind(path: Path) -> FileKind | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= 100:
                    declared = archive.read("mimetype").decode("ascii", "replace").strip()
                    return _OPEN_DOCUMENT.get(declared)
                return None
            if "[Content_Types].xml" in names:
                for folder, kind in _OOXML_FOLDERS.items():
                    if any(n.startswith(folder) for n in names):
                        return kind
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None
    return None  # a plain ZIP archive is not a document


def clean_filename(raw: str | None) -> str:
    """The uploaded file's name as it will be shown and offered for download.

    Surrounding spaces are trimmed and the name is put in Unicode NFC form;
    anything else that is wrong is refused with a message (a silently altered
    name would surprise the person who chose it).
    """
    name = unicodedata.normalize("NFC", (raw or "").strip())
    if not name:
        raise ValidationError(_("The file has no name."), "file")
    if "/" in name or "\\" in name:
        raise ValidationError(_("The file name must not contain / or \\."), "file")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in name):
        raise ValidationError(_("The file name contains control characters."), "file")
    if len(name) > MAX_FILENAME:
        raise ValidationError(
            _("The file name is too long (at most %(n)d characters).", n=MAX_FILENAME), "file"
        )
    if name.strip(".") == "":
        raise ValidationError(_("This is not a valid file name."), "file")
    return name


def title_from_filename(name: str) -> str:
    stem = Path(name).stem.replace("_", " ").strip()
    return stem or name
