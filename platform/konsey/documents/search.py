"""One search box across the documents a user may read, ranked and highlighted.

One interface (``index_document``, ``remove``, ``search``), two engines
chosen by the database in use: PostgreSQL full-text search (a ``tsvector``
column with a GIN index) in production, SQLite FTS5 on the embedded default.
Both index the title, the description, the file names and the text extracted
from the newest file of each language.

A query is never passed to either engine as syntax: it is cut into plain
words (letters and digits), each matched as a word prefix, all required.
Quotes, ``*``, ``NEAR``, ``AND``/``OR``/``NOT``, parentheses, ``^``, ``:``
and ``-`` are therefore just separators or ordinary words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer

from konsey.documents import symbols
from konsey.documents.queries import with_details
from konsey.extensions import db
from konsey.models import Document, DocumentVersion
from konsey.models.documents import SEARCH_INDEX_TABLE

MAX_QUERY_CHARS = 10_000
MAX_TERMS = 12
MAX_TERM_CHARS = 64
# Private-use characters mark highlights; the text is escaped, then they become <mark>.
MARK_START, MARK_END = "\ue000", "\ue001"
_TERM_RE = re.compile(r"[^\W_]+")


def terms_of(query: str | None) -> list[str]:
    """Plain words of a query: never engine syntax, at most MAX_TERMS of them."""
    words = _TERM_RE.findall((query or "")[:MAX_QUERY_CHARS])
    seen: list[str] = []
    for word in words:
        word = word.lower()[:MAX_TERM_CHARS]
        if word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


def highlighted(text: str | None) -> Markup:
    """Engine output with markers → escaped HTML with <mark> around the matches."""
    safe = str(escape(text or ""))
    return Markup(safe.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S704


@dataclass
class Hit:
    document: Document
    rank: float
    title: Markup
    snippet: Markup


@dataclass
class Results:
    terms: list[str]
    hits: list[Hit]
    has_more: bool


def _strip_marks(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "")


def index_document(document: Document) -> None:
    """(Re)write the document's entry, in the caller's transaction."""
    versions = db.session.scalars(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == document.id)
        .order_by(DocumentVersion.number)
        .options(undefer(DocumentVersion.text))
    ).all()
    newest = {v.language: v for v in versions}
    fields = {
        "id": document.id,
        "title": _strip_marks(document.title),
        "description": _strip_marks(f"{symbols.words(document)} {document.description}".strip()),
        "filenames": _strip_marks(" ".join(sorted({v.filename for v in versions}))),
        "body": _strip_marks("\n".join(v.text for v in newest.values() if v.text)),
    }
    _engine().put(fields)


def remove(document_id: int) -> None:
    _engine().remove(document_id)


def search(visible, query: str | None, *, page: int = 1, per_page: int = 20) -> Results:
    """Documents matching every word of ``query`` among those ``visible``
    (a SQL condition on Document, from policy), best first."""
    terms = terms_of(query)
    if not terms:
        return Results(terms, [], False)
    page = max(1, min(page, 500))
    rows = _engine().search(terms, visible, limit=per_page + 1, offset=(page - 1) * per_page)
    ids = [row[0] for row in rows[:per_page]]
    documents = {
        d.id: d
        for d in db.session.scalars(
            with_details(select(Document).where(Document.id.in_(ids))).options(
                selectinload(Document.group)
            )
        ).unique()
    }
    hits = [
        Hit(documents[doc_id], rank, highlighted(title), highlighted(snippet))
        for doc_id, rank, title, snippet in rows[:per_page]
        if doc_id in documents
    ]
    return Results(terms, hits, len(rows) > per_page)


def _engine():
    name = db.session.get_bind().dialect.name
    return _PostgresEngine() if name == "postgresql" else _SqliteEngine()


def _visible_ids(visible):
    return select(Document.id).where(visible, Document.deleted_at.is_(None))


class _SqliteEngine:
    """FTS5 virtual table; the document id is its rowid."""

    def put(self, fields: dict) -> None:
        db.session.execute(
            sa.text("DELETE FROM document_search WHERE rowid = :id"), {"id": fields["id"]}
        )
        db.session.execute(
            sa.text(
                "INSERT INTO document_search (rowid, title, description, filenames, body) "
                "VALUES (:id, :title, :description, :filenames, :body)"
            ),
            fields,
        )

    def remove(self, document_id: int) -> None:
        db.session.execute(
            sa.text("DELETE FROM document_search WHERE rowid = :id"), {"id": document_id}
        )

    def search(self, terms, visible, *, limit, offset):
        # Each word a quoted string (syntax-free) with prefix matching; all required.
        match = " ".join(f'"{term}"*' for term in terms)
        table = sa.table(SEARCH_INDEX_TABLE, sa.column("rowid"))
        fts = sa.literal_column(SEARCH_INDEX_TABLE)
        rank = sa.func.bm25(fts, 10.0, 3.0, 5.0, 1.0).label("rank")
        statement = (
            select(
                table.c.rowid,
                rank,
                sa.func.highlight(fts, 0, MARK_START, MARK_END),
                # Body, description, file names: the snippet shows the first that matches.
                *(sa.func.snippet(fts, col, MARK_START, MARK_END, " … ", 24) for col in (3, 1, 2)),
            )
            .where(fts.op("MATCH")(match), table.c.rowid.in_(_visible_ids(visible)))
            .order_by(rank, table.c.rowid.desc())
            .limit(limit)
            .offset(offset)
        )
        # bm25: smaller is better; report a score where larger is better.
        rows = db.session.execute(statement)
        return [
            (r[0], -float(r[1]), r[2], next((x for x in r[3:] if MARK_START in x), r[3]))
            for r in rows
        ]


class _PostgresEngine:
    """A table with a generated, weighted tsvector and a GIN index ('simple'
    configuration: no stemming, so English, Russian and Turkish behave alike)."""

    def put(self, fields: dict) -> None:
        db.session.execute(
            sa.text(
                "INSERT INTO document_search "
                "(document_id, title, description, filenames, body) "
                "VALUES (:id, :title, :description, :filenames, :body) "
                "ON CONFLICT (document_id) DO UPDATE SET title = excluded.title, "
                "description = excluded.description, filenames = excluded.filenames, "
                "body = excluded.body"
            ),
            fields,
        )

    def remove(self, document_id: int) -> None:
        db.session.execute(
            sa.text("DELETE FROM document_search WHERE document_id = :id"),
            {"id": document_id},
        )

    def search(self, terms, visible, *, limit, offset):
        config = sa.literal_column("'simple'::regconfig")
        query = sa.func.to_tsquery(config, " & ".join(f"'{term}':*" for term in terms))
        index = sa.table(
            SEARCH_INDEX_TABLE,
            *(sa.column(c) for c in ("document_id", "title", "description", "filenames")),
            sa.column("body"),
            sa.column("tsv"),
        )
        rank = sa.func.ts_rank(index.c.tsv, query).label("rank")
        # Rank and cut first; headlines (costly on long texts) only for the page.
        ranked = (
            select(index.c.document_id, rank)
            .where(index.c.tsv.op("@@")(query), index.c.document_id.in_(_visible_ids(visible)))
            .order_by(rank.desc(), index.c.document_id.desc())
            .limit(limit)
            .offset(offset)
            .subquery()
        )
        entry = index.alias("entry")
        marks = f"StartSel={MARK_START}, StopSel={MARK_END}"
        text = sa.func.concat_ws("\n", entry.c.description, entry.c.filenames, entry.c.body)
        statement = (
            select(
                ranked.c.document_id,
                ranked.c.rank,
                sa.func.ts_headline(config, entry.c.title, query, marks + ", HighlightAll=true"),
                sa.func.ts_headline(
                    config,
                    text,
                    query,
                    marks + ", MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=' … '",
                ),
            )
            .join_from(ranked, entry, entry.c.document_id == ranked.c.document_id)
            .order_by(ranked.c.rank.desc(), ranked.c.document_id.desc())
        )
        return [(r[0], float(r[1]), r[2], r[3]) for r in db.session.execute(statement)]
