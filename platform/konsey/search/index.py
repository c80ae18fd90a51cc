"""What the index holds for each searchable object, and the one rule that keeps
it current: every flush that writes an indexed object (or a part of one: a
document's version, a minutes version, an action's update) marks its entry,
and the transaction's commit rewrites the marked entries in that same
transaction. No service calls the index; none can forget to.

Entries are built from column queries (never from possibly stale loaded
collections), a batch of objects per kind in one query each.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from konsey.documents import symbols
from konsey.extensions import db
from konsey.models import (
    ActionItem,
    ActionUpdate,
    AgendaItem,
    Decision,
    Document,
    DocumentVersion,
    Meeting,
    Minutes,
    MinutesVersion,
)
from konsey.search import engines
from konsey.search.languages import working_language

KINDS = ("document", "minutes", "decision", "agenda_item", "action")
BATCH = 500
# Bounded (each file's text is at most 200,000 characters) so that a tsvector
# stays far below PostgreSQL's 1 MB limit for a tsvector.
MAX_BODY_CHARS = 500_000
_PENDING = "konsey_search_pending"


@dataclass
class Entry:
    kind: str
    object_id: int
    group_id: int
    meeting_id: int | None
    language: str
    date: datetime | None
    title: str
    body: str


def _join(*parts) -> str:
    return "\n".join(p for p in parts if p)[:MAX_BODY_CHARS]


# Builders: ids → entries (an id without an entry is removed) ------------------------
def _documents(ids) -> list[Entry]:
    rows = db.session.execute(
        select(
            Document.id,
            Document.group_id,
            Document.title,
            Document.description,
            Document.symbol,
            Document.original_language,
            Document.created_at,
        ).where(Document.id.in_(ids), Document.deleted_at.is_(None), Document.purged_at.is_(None))
    ).all()
    versions = defaultdict(list)
    for v in db.session.execute(
        select(
            DocumentVersion.document_id,
            DocumentVersion.language,
            DocumentVersion.filename,
            DocumentVersion.text,
        )
        .where(DocumentVersion.document_id.in_([r.id for r in rows]))
        .order_by(DocumentVersion.document_id, DocumentVersion.number)
    ):
        versions[v.document_id].append(v)
    entries = []
    for r in rows:
        mine = versions[r.id]
        newest = {v.language: v for v in mine}  # the newest file of each language
        language = r.original_language or (mine[0].language if mine else working_language())
        body = _join(
            symbols.words(r.symbol),
            r.description,
            " ".join(sorted({v.filename for v in mine})),
            *(v.text for v in newest.values()),
        )
        entries.append(
            Entry("document", r.id, r.group_id, None, language, r.created_at, r.title, body)
        )
    return entries


def _minutes(ids) -> list[Entry]:
    # The current version: what every reader of the minutes reads (once signed,
    # the signed text).
    current = (
        select(MinutesVersion.minutes_id, sa.func.max(MinutesVersion.number).label("number"))
        .where(MinutesVersion.minutes_id.in_(ids))
        .group_by(MinutesVersion.minutes_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Minutes.id,
            Meeting.id.label("meeting_id"),
            Meeting.group_id,
            Meeting.title,
            Meeting.starts_at,
            MinutesVersion.text,
        )
        .join(Meeting, Meeting.id == Minutes.meeting_id)
        .join(current, current.c.minutes_id == Minutes.id)
        .join(
            MinutesVersion,
            sa.and_(
                MinutesVersion.minutes_id == Minutes.id,
                MinutesVersion.number == current.c.number,
            ),
        )
        .where(Minutes.id.in_(ids))
    ).all()
    language = working_language()
    return [
        Entry(
            "minutes", r.id, r.group_id, r.meeting_id, language, r.starts_at, r.title, _join(r.text)
        )
        for r in rows
    ]


def _decisions(ids) -> list[Entry]:
    rows = db.session.execute(
        select(
            Decision.id,
            Decision.text,
            Meeting.id.label("meeting_id"),
            Meeting.group_id,
            Meeting.title,
            Meeting.starts_at,
        )
        .join(Minutes, Minutes.id == Decision.minutes_id)
        .join(Meeting, Meeting.id == Minutes.meeting_id)
        .where(Decision.id.in_(ids), Decision.removed_in_version.is_(None))
    ).all()
    language = working_language()
    return [
        Entry("decision", r.id, r.group_id, r.meeting_id, language, r.starts_at, r.title, r.text)
        for r in rows
    ]


def _agenda_items(ids) -> list[Entry]:
    rows = db.session.execute(
        select(
            AgendaItem.id,
            AgendaItem.title,
            AgendaItem.description,
            AgendaItem.outcome,
            Meeting.id.label("meeting_id"),
            Meeting.group_id,
            Meeting.starts_at,
        )
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(AgendaItem.id.in_(ids))
    ).all()
    language = working_language()
    return [
        Entry(
            "agenda_item",
            r.id,
            r.group_id,
            r.meeting_id,
            language,
            r.starts_at,
            r.title,
            _join(r.description, r.outcome),
        )
        for r in rows
    ]


def _actions(ids) -> list[Entry]:
    rows = db.session.execute(
        select(
            ActionItem.id,
            ActionItem.group_id,
            ActionItem.meeting_id,
            ActionItem.title,
            ActionItem.description,
            ActionItem.created_at,
        ).where(ActionItem.id.in_(ids))
    ).all()
    updates = defaultdict(list)
    for u in db.session.execute(
        select(ActionUpdate.action_id, ActionUpdate.comment, ActionUpdate.reference)
        .where(ActionUpdate.action_id.in_([r.id for r in rows]))
        .order_by(ActionUpdate.action_id, ActionUpdate.id)
    ):
        updates[u.action_id] += [u.comment, u.reference]
    language = working_language()
    return [
        Entry(
            "action",
            r.id,
            r.group_id,
            r.meeting_id,
            language,
            r.created_at,
            r.title,
            _join(r.description, *updates[r.id]),
        )
        for r in rows
    ]


BUILDERS = {
    "document": _documents,
    "minutes": _minutes,
    "decision": _decisions,
    "agenda_item": _agenda_items,
    "action": _actions,
}
# Every id of a kind, for a full rebuild.
ALL_IDS = {
    "document": Document.id,
    "minutes": Minutes.id,
    "decision": Decision.id,
    "agenda_item": AgendaItem.id,
    "action": ActionItem.id,
}


def refresh(kind: str, ids) -> int:
    """Rewrite the entries of these objects (removing those that are gone or
    no longer searchable), in the caller's transaction; how many were written."""
    ids = sorted(set(ids))
    written = 0
    engine = engines.current()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        entries = BUILDERS[kind](chunk)
        engine.remove(kind, chunk)
        engine.put(entries)
        written += len(entries)
    return written


def reindex(echo=None) -> dict[str, int]:
    """Rebuild the whole index, a batch at a time (bounded memory), one
    transaction per batch; the number of entries per kind."""
    engine = engines.current()
    engine.clear()
    db.session.commit()
    counts = {}
    for kind in KINDS:
        counts[kind] = 0
        last = 0
        while True:
            column = ALL_IDS[kind]
            ids = list(
                db.session.scalars(
                    select(column).where(column > last).order_by(column).limit(BATCH)
                )
            )
            if not ids:
                break
            entries = BUILDERS[kind](ids)
            engine.put(entries)
            db.session.commit()
            counts[kind] += len(entries)
            last = ids[-1]
            if echo:
                echo(kind, counts[kind])
    return counts


def is_empty() -> bool:
    return db.session.scalar(select(engines.TABLE.c.id).limit(1)) is None


# The one rule ------------------------------------------------------------------------
def _keys_of(obj) -> tuple[str, int | None] | None:
    if isinstance(obj, Meeting):  # its title and date are its records' (see _expand)
        return "meeting", obj.id
    if isinstance(obj, Document):
        return "document", obj.id
    if isinstance(obj, DocumentVersion):
        return "document", obj.document_id
    if isinstance(obj, Minutes):
        return "minutes", obj.id
    if isinstance(obj, MinutesVersion):
        return "minutes", obj.minutes_id
    if isinstance(obj, Decision):
        return "decision", obj.id
    if isinstance(obj, AgendaItem):
        return "agenda_item", obj.id
    if isinstance(obj, ActionItem):
        return "action", obj.id
    if isinstance(obj, ActionUpdate):
        return "action", obj.action_id
    return None


def _expand(by_kind, meeting_ids) -> None:
    """A changed meeting: its minutes, decisions and agenda items show its title and date."""
    if not meeting_ids:
        return
    ids = list(meeting_ids)
    by_kind["minutes"].update(
        db.session.scalars(select(Minutes.id).where(Minutes.meeting_id.in_(ids)))
    )
    by_kind["decision"].update(
        db.session.scalars(
            select(Decision.id)
            .join(Minutes, Minutes.id == Decision.minutes_id)
            .where(Minutes.meeting_id.in_(ids))
        )
    )
    by_kind["agenda_item"].update(
        db.session.scalars(select(AgendaItem.id).where(AgendaItem.meeting_id.in_(ids)))
    )


@event.listens_for(Session, "after_flush")
def _mark(session, _context):
    pending = session.info.setdefault(_PENDING, set())
    for obj in session.new | session.dirty | session.deleted:
        key = _keys_of(obj)
        if key is not None and key[1] is not None:
            pending.add(key)


@event.listens_for(Session, "before_commit")
def _write(session):
    session.flush()  # the commit's own flush comes after this hook: mark first
    if not session.info.get(_PENDING):
        return
    pending = session.info.pop(_PENDING, set())
    by_kind = defaultdict(set)
    for kind, object_id in pending:
        by_kind[kind].add(object_id)
    _expand(by_kind, by_kind.pop("meeting", set()))
    for kind, ids in by_kind.items():
        refresh(kind, ids)
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop(_PENDING, None)
