"""One ZIP of many documents' files, streamed: the newest file of each in the
language asked for, else in the document's original language, else the newest.

Bounded memory: zipstream-ng writes the archive as the files are read from the
store in chunks (no whole file, let alone the archive, is held). Inside, a
``SHA256SUMS`` file (``sha256sum -c`` format) lists every file; each file's
hash is checked as it is read, and a file that fails the check (or vanished)
stops the stream — an archive cut short has no central directory, so no
unzip tool takes it for a whole one, and the damage is recorded as for a
single download. Which documents go in is the caller's (their audience's).
"""

from __future__ import annotations

import hashlib
import logging
import posixpath
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from zipstream import ZIP_STORED, ZipStream

from konsey import audit, storage
from konsey.documents import services, translations
from konsey.extensions import db
from konsey.models import Document, DocumentVersion, User

log = logging.getLogger(__name__)
SUMS_NAME = "SHA256SUMS"
READ_CHUNK = 256 * 1024
MAX_NAME = 120


@dataclass(frozen=True)
class Entry:
    """One file of the archive."""

    name: str
    document_id: int
    version_number: int
    sha256: str
    size: int


def choose_version(document: Document, language: str) -> DocumentVersion | None:
    """The newest file in ``language``, else in the original language, else the newest."""
    return (
        document.latest(language)
        or document.latest(translations.original_language(document) or "")
        or document.latest()
    )


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def _safe(text: str, default: str = "document") -> str:
    """One path segment that every unzip tool and file system takes."""
    text = unicodedata.normalize("NFC", text)
    text = _UNSAFE.sub("_", text).strip(" ._")
    return text[:MAX_NAME] or default


def entry_name(document: Document, version: DocumentVersion) -> str:
    """``TC_ICT_2026_3-ru.pdf`` from the symbol (slashes replaced) when there is
    one, else the uploaded file's own name."""
    stem, ext = posixpath.splitext(version.filename)
    ext = _safe(ext, default="")[:16]
    suffix = f".{ext}" if ext else ""
    if document.symbol:
        return f"{_safe(document.symbol)}-{version.language}{suffix}"
    return f"{_safe(stem)}{suffix}"


def _unique(name: str, taken: set[str]) -> str:
    if name.lower() not in taken:
        taken.add(name.lower())
        return name
    stem, ext = posixpath.splitext(name)
    n = 2
    while f"{stem} ({n}){ext}".lower() in taken:
        n += 1
    name = f"{stem} ({n}){ext}"
    taken.add(name.lower())
    return name


def entries(documents: Iterable[Document], language: str) -> list[Entry]:
    """The archive's files, in the documents' order, names unique (case-insensitively:
    Windows and macOS would otherwise overwrite one with the other)."""
    taken = {SUMS_NAME.lower()}
    result = []
    for document in documents:
        version = choose_version(document, language)
        if version is None:
            continue
        result.append(
            Entry(
                name=_unique(entry_name(document, version), taken),
                document_id=document.id,
                version_number=version.number,
                sha256=version.sha256,
                size=version.size,
            )
        )
    return result


def sums_file(files: list[Entry]) -> bytes:
    return "".join(f"{e.sha256}  {e.name}\n" for e in files).encode()


class Damaged(Exception):
    """A stored file no longer has its hash while it is being sent."""


def _verified_chunks(app, store: storage.Storage, actor: tuple, entry: Entry) -> Iterator[bytes]:
    digest = hashlib.sha256()
    sent = 0
    try:
        with store.open(entry.sha256) as fh:
            while chunk := fh.read(READ_CHUNK):
                sent += len(chunk)
                if sent > entry.size:
                    break
                digest.update(chunk)
                yield chunk
    except FileNotFoundError:
        pass
    if sent != entry.size or digest.hexdigest() != entry.sha256:
        # The response is being sent after the request's context has ended
        # (no database connection is held while a large archive streams).
        with app.app_context():
            _record_damage(actor, entry)
        raise Damaged(entry.name)


def _record_damage(actor: tuple, entry: Entry) -> None:
    user_id, ip = actor
    log.error(
        "document %s version %s: stored file %s fails its SHA-256 check in a ZIP",
        entry.document_id,
        entry.version_number,
        entry.sha256,
    )
    document = db.session.get(Document, entry.document_id)
    audit.record(
        audit.Actor(user=db.session.get(User, user_id) if user_id else None, ip=ip),
        "document.file_corrupt",
        document,
        group_id=document.group_id if document else None,
        version=entry.version_number,
        sha256=entry.sha256,
        missing=False,
        bundle=True,
    )
    db.session.commit()


def check_present(actor: audit.Actor, files: list[Entry]) -> None:
    """Before any byte is sent: every file is in the store (a missing one is
    refused with FileCorrupt, 409, as a single download would be)."""
    store = storage.get_storage()
    for entry in files:
        if not store.exists(entry.sha256):
            version = db.session.scalar(
                db.select(DocumentVersion).where(
                    DocumentVersion.document_id == entry.document_id,
                    DocumentVersion.number == entry.version_number,
                )
            )
            services.verified_store(actor, version)  # records and raises FileCorrupt


def archive(actor: audit.Actor, files: list[Entry]) -> ZipStream:
    """The archive as an iterable of bytes, with its length known (``len()``)
    before a byte is read: the files are stored, not compressed (PDFs and
    office files are compressed already)."""
    store = storage.get_storage()
    app = current_app._get_current_object()
    # Only plain values cross into the stream: the request's session is gone by then.
    actor = (actor.user_id, actor.ip)
    zs = ZipStream(compress_type=ZIP_STORED, sized=True)
    zs.add(sums_file(files), SUMS_NAME)
    for entry in files:
        zs.add(_verified_chunks(app, store, actor, entry), entry.name, size=entry.size)
    return zs


def nothing_message() -> str:
    return _("This meeting has no document that you may read, so there is nothing to download.")
