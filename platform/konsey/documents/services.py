"""Document rules: uploads, versions, deletion, purge, verified reads.

No Flask request objects here: callers pass streams and names. A failed
upload leaves nothing behind: files are staged and checked first, rows are
flushed before any file enters the store, and a file the store received for
a transaction that then fails is removed again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, func, select

from konsey import audit, storage
from konsey.documents import embargo, extraction, files, symbols
from konsey.errors import Conflict, ServiceError, ValidationError
from konsey.extensions import db
from konsey.models import (
    AgendaItem,
    Document,
    DocumentKind,
    DocumentVersion,
    Meeting,
    StoredFile,
    Visibility,
    WorkingGroup,
)
from konsey.models.base import utcnow
from konsey.validation import check_line, check_text

log = logging.getLogger(__name__)
MAX_FILES_PER_UPLOAD = 20


class FileTooLarge(ServiceError):
    status = 413
    code = "too_large"


class FileCorrupt(ServiceError):
    """The stored file no longer has its hash (or is gone): it is not served."""

    status = 409
    code = "file_corrupt"


@dataclass
class Upload:
    """One file as received: a binary stream (read in chunks) and its name."""

    stream: BinaryIO
    filename: str | None


@dataclass
class _Prepared:
    staged: storage.StagedFile
    filename: str
    kind: files.FileKind


def too_large_message() -> str:
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    return _("The file is too large: the limit is %(size)s.", size=human_size(limit))


def human_size(size: int) -> str:
    """A file size as people read it, in the page's language ("1,5 МБ")."""
    from babel.units import format_unit
    from flask_babel import get_locale

    locale = get_locale() or "en"
    if size < 1024:
        return format_unit(size, "digital-byte", length="long", locale=locale)
    value = float(size)
    for unit in ("kilobyte", "megabyte", "gigabyte"):
        value /= 1024
        if value < 1024 or unit == "gigabyte":
            break
    return format_unit(value, f"digital-{unit}", length="short", format="#,##0.#", locale=locale)


# Field checks ------------------------------------------------------------------
def check_kind(value) -> DocumentKind:
    try:
        return DocumentKind(value)
    except ValueError as exc:
        raise ValidationError(_("Choose a kind of document."), "kind") from exc


def check_visibility(value) -> Visibility:
    try:
        return Visibility(value)
    except ValueError as exc:
        raise ValidationError(_("Choose who may read the document."), "visibility") from exc


def check_language(value) -> str:
    value = (value or "").strip().lower() if isinstance(value, str) else ""
    if value not in current_app.config["DOCUMENT_LANGUAGES"]:
        raise ValidationError(_("Choose a language from the list."), "language")
    return value


def check_agenda_item(group: WorkingGroup, value) -> AgendaItem | None:
    """An agenda item of one of this group's meetings (or none)."""
    if value in (None, "", 0, "0"):
        return None
    try:
        item_id = int(value)
    except (TypeError, ValueError):
        item_id = -1
    item = None
    if 0 < item_id < 2**31:
        item = db.session.scalar(
            select(AgendaItem)
            .join(AgendaItem.meeting)
            .where(AgendaItem.id == item_id, Meeting.group_id == group.id)
        )
    if item is None:
        raise ValidationError(_("Choose an agenda item of this group's meetings."), "agenda_item")
    return item


# Receiving files -------------------------------------------------------------------
def _prepare(uploads: list[Upload]) -> list[_Prepared]:
    """Stage, check and read every file; on any error, discard them all."""
    if not uploads:
        raise ValidationError(_("Choose a file to upload."), "file")
    if len(uploads) > MAX_FILES_PER_UPLOAD:
        raise ValidationError(_("At most %(n)d files at a time.", n=MAX_FILES_PER_UPLOAD), "file")
    prepared: list[_Prepared] = []
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    try:
        for upload in uploads:
            name = files.clean_filename(upload.filename)
            try:
                staged = storage.stage(upload.stream, storage.staging_dir(), limit)
            except storage.TooLarge as exc:
                raise FileTooLarge(too_large_message(), "file") from exc
            prepared.append(_Prepared(staged, name, files.TEXT))
            if staged.size == 0:
                raise ValidationError(_("The file %(name)s is empty.", name=name), "file")
            kind = files.sniff(staged.head, staged.path, name, staged.utf8)
            # Its text is for a worker to find (konsey.documents.extraction),
            # never for this request: a hostile file could take hours.
            prepared[-1].kind = kind
    except BaseException:
        for p in prepared:
            p.staged.discard()
        raise
    return prepared


def _add_stored_file(p: _Prepared) -> None:
    """The content's row, once per hash (a second upload of it finds it there)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(
        insert(StoredFile)
        .values(sha256=p.staged.sha256, size=p.staged.size, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["sha256"])
    )


def _commit_with_files(prepared: list[_Prepared]) -> None:
    """Rows are flushed (and valid); now files into the store, then commit.

    If anything fails, the transaction is rolled back and the files this call
    added to the store are removed, unless another upload of the same content
    committed meanwhile."""
    store = storage.get_storage()
    added: list[str] = []
    try:
        db.session.flush()
        for p in prepared:
            if store.save(p.staged):
                added.append(p.staged.sha256)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for sha in added:
            if db.session.get(StoredFile, sha) is None:
                store.delete(sha)
        raise
    finally:
        for p in prepared:
            p.staged.discard()


def _version(document: Document, p: _Prepared, number: int, language: str, actor):
    version = DocumentVersion(
        document=document,
        number=number,
        language=language,
        filename=p.filename,
        size=p.staged.size,
        sha256=p.staged.sha256,
        media_type=p.kind.media_type,
        uploaded_by=actor.user,
        uploaded_at=utcnow(),
        text="",
        extraction=extraction.PENDING,
    )
    db.session.add(version)
    return version


# Changes ---------------------------------------------------------------------------
def create_documents(
    actor: audit.Actor,
    group: WorkingGroup,
    uploads: list[Upload],
    *,
    title: str | None,
    description: str | None = "",
    kind,
    language,
    visibility,
    agenda_item=None,
    before_commit=None,
    lineage: symbols.Lineage | None = None,
    distribution=None,
    embargo_until=None,
    derestrict_at=None,
    zone_name: str | None = None,
) -> list[Document]:
    """One document per file, all or none. Without a title, a document is
    named after its file; with several files, the title is followed by each
    file's name. ``before_commit(documents)``, if given, runs once the rows
    are flushed, in the same transaction (e.g. to link them to another row).
    Official kinds get their symbol here (``lineage``: a revision, addendum or
    corrigendum of another document: konsey.documents.symbols)."""
    title = check_line(title, "title", required=False, max_length=300)
    description = check_text(description, "description", required=False, max_length=5000)
    kind = check_kind(kind)
    language = check_language(language)
    visibility = check_visibility(visibility)
    item = check_agenda_item(group, agenda_item)
    marking = embargo.check_marking(
        distribution, embargo_until, derestrict_at, agenda_item=item, zone_name=zone_name
    )
    origin_state_id = embargo.uploading_state_id(actor.user, group.id)
    prepared = _prepare(uploads)
    documents = []
    try:
        now = utcnow()
        for p in prepared:
            if not title:
                name = files.title_from_filename(p.filename)
            elif len(prepared) > 1:
                name = f"{title} — {files.title_from_filename(p.filename)}"
            else:
                name = title
            document = Document(
                group=group,
                title=name[:300],
                description=description,
                kind=kind,
                visibility=visibility,
                agenda_item=item,
                original_language=language,  # the first file's (documents.translations)
                created_by=actor.user,
                created_at=now,
                updated_at=now,
            )
            embargo.apply_on_upload(document, marking, origin_state_id)
            db.session.add(document)
            _add_stored_file(p)
            version = _version(document, p, 1, language, actor)
            symbols.assign(document, lineage, at=now)
            db.session.flush()
            audit.record(
                actor,
                "document.create",
                document,
                group_id=group.id,
                kind=kind,
                visibility=visibility,
                symbol=document.symbol,
                distribution=marking.distribution,
                embargo_until=marking.embargo_until,
                version=1,
                language=language,
                filename=version.filename,
                sha256=version.sha256,
                size=version.size,
            )
            documents.append(document)
        if before_commit is not None:
            before_commit(documents)
            db.session.flush()
    except BaseException:
        db.session.rollback()
        for p in prepared:
            p.staged.discard()
        raise
    _commit_with_files(prepared)
    extraction.request_extraction()
    return documents


def add_version(
    actor: audit.Actor, document: Document, upload: Upload, *, language
) -> DocumentVersion:
    """A new file for the document: a new revision, or its text in another language."""
    language = check_language(language)
    [p] = _prepare([upload])
    try:
        # One writer at a time per document, so numbers never collide.
        db.session.execute(select(Document.id).where(Document.id == document.id).with_for_update())
        number = (
            db.session.scalar(
                select(func.max(DocumentVersion.number)).where(
                    DocumentVersion.document_id == document.id
                )
            )
            or 0
        ) + 1
        _add_stored_file(p)
        version = _version(document, p, number, language, actor)
        document.updated_at = utcnow()
        db.session.flush()
        audit.record(
            actor,
            "document.version",
            document,
            group_id=document.group_id,
            version=number,
            language=language,
            filename=version.filename,
            sha256=version.sha256,
            size=version.size,
        )
    except sa.exc.IntegrityError as exc:
        db.session.rollback()
        p.staged.discard()
        raise Conflict(_("Another version was uploaded at the same moment; try again.")) from exc
    except BaseException:
        db.session.rollback()
        p.staged.discard()
        raise
    _commit_with_files([p])
    extraction.request_extraction()
    return version


def soft_delete(actor: audit.Actor, document: Document) -> None:
    """Hidden from lists, pages and search; the files stay until an admin purges."""
    if document.is_deleted:
        raise Conflict(_("This document is already deleted."))
    document.deleted_at = utcnow()
    document.deleted_by = actor.user
    audit.record(actor, "document.delete", document, group_id=document.group_id)
    db.session.commit()


def purge(actor: audit.Actor, document: Document) -> int:
    """Remove a deleted document's versions, index entry and (unshared) files
    for good; the document row stays as a tombstone. Returns files removed."""
    if not document.is_deleted:
        raise Conflict(_("Only a deleted document can be purged; delete it first."))
    if document.purged_at is not None:
        raise Conflict(_("This document is already purged."))
    versions = db.session.scalars(
        select(DocumentVersion).where(DocumentVersion.document_id == document.id)
    ).all()
    hashes = sorted({v.sha256 for v in versions})
    audit.record(
        actor,
        "document.purge",
        document,
        group_id=document.group_id,
        versions=[
            {"number": v.number, "sha256": v.sha256, "filename": v.filename} for v in versions
        ],
    )
    for version in versions:
        db.session.delete(version)
    document.purged_at = utcnow()
    db.session.flush()
    unshared = db.session.scalars(
        select(StoredFile.sha256).where(
            StoredFile.sha256.in_(hashes),
            ~exists().where(DocumentVersion.sha256 == StoredFile.sha256),
        )
    ).all()
    db.session.execute(sa.delete(StoredFile).where(StoredFile.sha256.in_(unshared)))
    db.session.commit()
    # Only after the commit: a failed transaction must not lose a file.
    store = storage.get_storage()
    for sha in unshared:
        store.delete(sha)
    return len(unshared)


def verified_store(actor: audit.Actor, version: DocumentVersion) -> storage.Storage:
    """The store holding the version's file, after checking the file's hash.

    A mismatch (or a missing file) is recorded in the audit log and refused:
    a damaged file is never served as if it were the one uploaded."""
    store = storage.get_storage()
    if storage.verify(store, version.sha256):
        return store
    missing = not store.exists(version.sha256)
    log.error(
        "document %s version %s: stored file %s %s",
        version.document_id,
        version.number,
        version.sha256,
        "is missing" if missing else "fails its SHA-256 check",
    )
    audit.record(
        actor,
        "document.file_corrupt",
        version.document,
        group_id=version.document.group_id,
        version=version.number,
        sha256=version.sha256,
        missing=missing,
    )
    db.session.commit()
    raise FileCorrupt(
        _(
            "This file failed its integrity check (it is not the file that was uploaded), "
            "so it is not served. The secretariat has been told."
        )
    )
