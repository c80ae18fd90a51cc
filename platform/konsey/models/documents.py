"""Document libraries: documents, their immutable versions and the stored files."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from konsey.extensions import db
from konsey.models.base import UTCDateTime, enum_column, utcnow
from konsey.models.groups import WorkingGroup
from konsey.models.meetings import AgendaItem
from konsey.models.states import MemberState
from konsey.models.users import User


class DocumentKind(enum.StrEnum):
    WORKING_PAPER = "working_paper"
    PRESENTATION = "presentation"
    REPORT = "report"
    MINUTES = "minutes"
    DECISION = "decision"
    OTHER = "other"


# Official kinds get the next symbol of their group's pattern on first upload.
OFFICIAL_KINDS = frozenset(
    {DocumentKind.WORKING_PAPER, DocumentKind.REPORT, DocumentKind.MINUTES, DocumentKind.DECISION}
)


class Distribution(enum.StrEnum):
    """The distribution marking of a document (shown on the page and in the
    downloaded file's name); a restricted one may be derestricted to general."""

    GENERAL = "general"
    LIMITED = "limited"
    RESTRICTED = "restricted"


class Relation(enum.StrEnum):
    """How a document descends from its parent: ``…/Rev.1``, ``…/Add.1``, ``…/Corr.1``."""

    REVISION = "revision"  # replaces the parent for new readers
    ADDENDUM = "addendum"
    CORRIGENDUM = "corrigendum"


class TranslationStatus(enum.StrEnum):
    """Per document and official language. ``original`` and ``available`` are
    facts of the uploaded files; the others are set by a coordinator."""

    ORIGINAL = "original"
    REQUESTED = "requested"  # translation requested, with a due date
    IN_TRANSLATION = "in_translation"
    AVAILABLE = "available"
    NOT_PLANNED = "not_planned"


class Visibility(enum.StrEnum):
    """Who may read a document; each level includes the one before it."""

    GROUP = "group"  # the group's coordinators and delegations (not its observers)
    COUNCIL = "council"  # every delegate of the council, in any group
    OBSERVERS = "observers"  # ...and the group's observers too


class StoredFile(db.Model):
    """A file in the store, named by its SHA-256: identical uploads are kept once."""

    __tablename__ = "stored_file"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Document(db.Model):
    __tablename__ = "document"
    # A page of the library, newest first, in index order.
    __table_args__ = (Index("ix_document_group_created", "group_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("working_group.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility))
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Soft delete by a coordinator: hidden everywhere, files kept...
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # ...until an admin purges it: versions and files are gone, this row stays.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Official documents (0015). The symbol is unique across the council and
    # never reused (a deleted or purged document keeps it).
    symbol: Mapped[str | None] = mapped_column(String(120), unique=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL"), index=True
    )
    relation: Mapped[Relation | None] = mapped_column(enum_column(Relation))
    relation_number: Mapped[int | None] = mapped_column(Integer)
    # The language of the original text (the first file's language when unset).
    original_language: Mapped[str | None] = mapped_column(String(8))
    distribution: Mapped[Distribution] = mapped_column(
        enum_column(Distribution), default=Distribution.GENERAL, server_default="general"
    )
    # The delegation that uploaded it (the uploader's member state in the group):
    # with the coordinators, the only readers while it is under embargo.
    origin_state_id: Mapped[int | None] = mapped_column(
        ForeignKey("member_state.id", ondelete="SET NULL"), index=True
    )
    embargo_until: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # by the worker
    derestrict_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    derestricted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # by the worker

    group: Mapped[WorkingGroup] = relationship()
    parent: Mapped[Document | None] = relationship(remote_side=[id])
    origin_state: Mapped[MemberState | None] = relationship()
    translations: Mapped[list[DocumentTranslation]] = relationship(
        back_populates="document",
        order_by="DocumentTranslation.language",
        cascade="all, delete-orphan",
    )
    agenda_item: Mapped[AgendaItem | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    deleted_by: Mapped[User | None] = relationship(foreign_keys=[deleted_by_id])
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.number"
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def languages(self) -> list[str]:
        return sorted({v.language for v in self.versions})

    def latest(self, language: str | None = None) -> DocumentVersion | None:
        """The newest version (in ``language``, when given)."""
        versions = [v for v in self.versions if language is None or v.language == language]
        return versions[-1] if versions else None

    def latest_by_language(self) -> dict[str, DocumentVersion]:
        return {v.language: v for v in self.versions}

    def __repr__(self) -> str:
        return f"<Document {self.id} {self.title!r}>"


class DocumentVersion(db.Model):
    """One uploaded file; never changed once written.

    Numbers run 1, 2, 3… per document across its languages, so "version 3"
    names one file whatever its language.
    """

    __tablename__ = "document_version"
    __table_args__ = (
        UniqueConstraint("document_id", "number", name="uq_document_version_number"),
        # The extraction sweep's probe: only the few unfinished rows are indexed.
        Index(
            "ix_document_version_extraction_open",
            "id",
            sqlite_where=db.text("extraction IN ('pending', 'running')"),
            postgresql_where=db.text("extraction IN ('pending', 'running')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(8))
    filename: Mapped[str] = mapped_column(String(255))  # the original name, sanitised
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(
        ForeignKey("stored_file.sha256", ondelete="RESTRICT"), index=True
    )
    media_type: Mapped[str] = mapped_column(String(120))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Extracted by a worker for the search index (bounded; empty when none).
    text: Mapped[str] = mapped_column(Text, default="", deferred=True)
    # pending → running → done / limited (a budget or limit cut it short) /
    # failed (unreadable, or too many attempts). Rows from before 0009 are done.
    extraction: Mapped[str] = mapped_column(String(16), default="pending", server_default="done")
    extraction_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    extraction_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    document: Mapped[Document] = relationship(back_populates="versions")
    uploaded_by: Mapped[User | None] = relationship()


class DocumentTranslation(db.Model):
    """A coordinator's word on one official language of a document: requested
    (by when), in translation, or not planned. ``available`` and ``original``
    follow from the files and are not stored here."""

    __tablename__ = "document_translation"
    __table_args__ = (
        UniqueConstraint("document_id", "language", name="uq_document_translation_language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[TranslationStatus] = mapped_column(enum_column(TranslationStatus))
    due_on: Mapped[date | None] = mapped_column(Date)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship(back_populates="translations")
    updated_by: Mapped[User | None] = relationship()


class SymbolCounter(db.Model):
    """The last number given under one expanded pattern (the symbol with
    ``{n}`` left open, e.g. ``TC/ICT/CS/2026/{n}``): incremented atomically in
    the upload's transaction, never decremented, so numbers are never reused."""

    __tablename__ = "symbol_counter"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


# The search index (konsey.search) is not a model: its shape differs per
# database (PostgreSQL: a table with a tsvector column and a GIN index; SQLite:
# a table of stems, an FTS5 virtual table and its shadow tables). Migration
# 0016 creates it; schema comparisons skip it.
SEARCH_INDEX_TABLE = "search_index"


def is_search_index(name: str | None) -> bool:
    return bool(name) and (name == SEARCH_INDEX_TABLE or name.startswith(SEARCH_INDEX_TABLE + "_"))


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic ``include_object`` hook: leave the search index out of comparisons."""
    if type_ == "table" and is_search_index(name):
        return False
    table = getattr(obj, "table", None)
    return not (type_ in ("index", "column") and is_search_index(getattr(table, "name", None)))
