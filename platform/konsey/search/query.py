"""One search: the words of a query, the filters, and what the reader may open.

A query is never passed to either engine as syntax: it is cut into plain
words (letters and digits), each matched in its word forms and as a prefix,
all required. Quotes, ``*``, ``NEAR``, ``AND``/``OR``/``NOT``, parentheses,
``^``, ``:``, ``&``, ``|``, ``!`` and ``-`` are therefore separators or
ordinary words.

The reader's access is part of the one SQL statement that finds, counts and
ranks: the conditions of policy (DocumentAudience, RecordAudience) that the
lists use. An entry the reader may not open is never counted, ranked or cut
into a snippet. A search runs a bounded number of queries: the count, the
page (with its snippets), the page's groups, and the reader's roles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy import select

from konsey.extensions import db
from konsey.models import ActionItem, AgendaItem, Decision, Document, Minutes, WorkingGroup
from konsey.policy import DocumentAudience, RecordAudience
from konsey.search import engines
from konsey.search.engines import MARK_END, MARK_START, TABLE
from konsey.search.index import KINDS

MAX_QUERY_CHARS = 10_000
MAX_TERMS = 12
MAX_TERM_CHARS = 64
PER_PAGE = 20
MAX_PAGE = 500
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


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    group_id: int | None = None
    language: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class Hit:
    kind: str
    object_id: int
    group: WorkingGroup
    meeting_id: int | None
    language: str
    date: datetime | None
    rank: float
    title: Markup
    snippet: Markup
    symbol: str | None = None  # a document's symbol (TC/ICT/CS/2026/3)


@dataclass
class Results:
    terms: list[str]
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def has_more(self) -> bool:
        return self.page * self.per_page < self.total


def readable(user):
    """SQL on the index: the entries whose object ``user`` may open, by the
    same conditions the lists use."""
    documents = DocumentAudience.of(user).condition()
    records = RecordAudience.of(user)
    rules = {
        "document": select(Document.id).where(documents),
        "minutes": select(Minutes.id).where(records.minutes()),
        "decision": select(Decision.id).where(records.decisions()),
        "agenda_item": select(AgendaItem.id).where(records.agenda_items()),
        "action": select(ActionItem.id).where(records.actions()),
    }
    return sa.or_(
        *(sa.and_(TABLE.c.kind == kind, TABLE.c.object_id.in_(ids)) for kind, ids in rules.items())
    )


def _filters(filters: Filters) -> list:
    where = []
    if filters.kind:
        where.append(TABLE.c.kind == filters.kind)
    if filters.group_id is not None:
        where.append(TABLE.c.group_id == filters.group_id)
    if filters.language:
        where.append(TABLE.c.language == filters.language)
    if filters.date_from:
        where.append(TABLE.c.date >= datetime.combine(filters.date_from, time(), UTC))
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time(), UTC)
        where.append(TABLE.c.date < end)
    return where


def search(user, query: str | None, filters: Filters = Filters(), *, page: int = 1) -> Results:
    """What ``user`` may open that matches every word of ``query``, best first."""
    terms = terms_of(query)
    page = max(1, min(page, MAX_PAGE))
    if not terms or (filters.kind and filters.kind not in KINDS):
        return Results(terms, page=page)
    engine = engines.current()
    where = [readable(user), *_filters(filters)]
    total = engine.count(terms, where)
    if total == 0 or (page - 1) * PER_PAGE >= total:
        return Results(terms, total=total, page=page)
    rows = engine.search(terms, where, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    group_ids = {row[2] for row in rows}
    groups = {
        g.id: g
        for g in db.session.scalars(select(WorkingGroup).where(WorkingGroup.id.in_(group_ids)))
    }
    document_ids = [row[1] for row in rows if row[0] == "document"]
    symbols = (
        dict(
            db.session.execute(
                select(Document.id, Document.symbol).where(
                    Document.id.in_(document_ids), Document.symbol.is_not(None)
                )
            ).all()
        )
        if document_ids
        else {}
    )
    hits = [
        Hit(
            kind,
            object_id,
            groups[group_id],
            meeting_id,
            language,
            when,
            rank,
            highlighted(title),
            highlighted(snippet),
            symbols.get(object_id) if kind == "document" else None,
        )
        for kind, object_id, group_id, meeting_id, language, when, rank, title, snippet in rows
        if group_id in groups
    ]
    return Results(terms, hits, total, page)
