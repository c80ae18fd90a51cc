"""Document symbols: the group's pattern, the council-wide numbering, lineage.

A pattern such as ``TC/ICT/CS/{year}/{n}`` is expanded with the upload's
values, leaving ``{n}`` open (``TC/ICT/CS/2026/{n}``); that key names one
``SymbolCounter`` row, incremented atomically in the upload's transaction
(``INSERT … ON CONFLICT … DO UPDATE … RETURNING``, on PostgreSQL and SQLite
alike), never decremented. So two uploads at once never get the same number,
and a deleted or purged document keeps its symbol: nobody gets it again.

Tokens: ``{group}`` (the group's short name, upper-cased: ``cyber-security``
→ ``CYBER-SECURITY``), ``{year}`` (the upload's year, UTC), ``{meeting}``
(the number of the meeting whose agenda item the document is attached to:
the digits of the meeting's number, e.g. "2nd Meeting" → 2, else its place
among the group's meetings by date), ``{n}`` (the running number, required,
once). A document attached to no agenda item gets the pattern without
``{meeting}`` and one separator next to it (``TC/{meeting}/{n}`` → ``TC/{n}``):
papers arrive before the agenda is set, and refusing them would stop the
upload for a number.

Lineage: a revision, addendum or corrigendum of a document with a symbol is
``<symbol>/Rev.1``, ``/Add.1``, ``/Corr.1``, numbered by the same counters
(a deleted Rev.1 is never given again). A revision of a revision is the next
revision of the same original (``…/Rev.2``, parent: the original), as
secretariats number them. A document without a symbol (a kind that is not
official, or a group without a pattern) has no lineage: refused, with why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import case, exists, func, inspect, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.util import ClauseAdapter

from konsey.errors import Conflict, ValidationError
from konsey.extensions import db
from konsey.models import AgendaItem, Document, Meeting, WorkingGroup
from konsey.models.base import utcnow
from konsey.models.documents import OFFICIAL_KINDS, Relation, SymbolCounter

TOKENS = ("group", "year", "meeting", "n")
MAX_PATTERN_CHARS = 80
# Room left in the 120-character symbol for a few /Rev.N, /Add.N suffixes.
MAX_SYMBOL_CHARS = 100
SYMBOL_COLUMN_CHARS = 120
_TOKEN_RE = re.compile(r"\{([^{}]*)\}")
_LITERAL_RE = re.compile(r"^[A-Za-z0-9/.\-_() ]*$")
_SEPARATORS = "/.-_ "
SUFFIXES = {Relation.REVISION: "Rev", Relation.ADDENDUM: "Add", Relation.CORRIGENDUM: "Corr"}
# The widest values a token may take when the pattern is checked.
_WIDEST = {"year": "9999", "meeting": "9999", "n": "999999"}


# Patterns ----------------------------------------------------------------------
def check_pattern(value, *, group_slug: str = "x" * 64, field: str = "symbol_pattern"):
    """The pattern, stripped, or None for "no symbols"; refused with the reason."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(_("The symbol pattern must be text."), field)
    value = value.strip()
    if not value:
        return None
    if len(value) > MAX_PATTERN_CHARS:
        raise ValidationError(
            _("The symbol pattern is too long: at most %(n)d characters.", n=MAX_PATTERN_CHARS),
            field,
        )
    tokens = _TOKEN_RE.findall(value)
    unknown = sorted({t for t in tokens if t not in TOKENS})
    if unknown:
        raise ValidationError(
            _(
                "Unknown token %(tokens)s in the symbol pattern; the tokens are "
                "{group}, {year}, {meeting} and {n}.",
                tokens=", ".join("{" + t + "}" for t in unknown),
            ),
            field,
        )
    literal = _TOKEN_RE.sub("", value)
    if "{" in literal or "}" in literal:
        raise ValidationError(
            _("A brace in the symbol pattern opens or closes no token, e.g. {year}."), field
        )
    if "n" not in tokens:
        raise ValidationError(
            _("The symbol pattern needs {n}, the running number, e.g. TC/ICT/CS/{year}/{n}."),
            field,
        )
    if tokens.count("n") > 1 or any(tokens.count(t) > 1 for t in TOKENS):
        raise ValidationError(_("Each token may appear only once in the symbol pattern."), field)
    if not _LITERAL_RE.match(literal):
        raise ValidationError(
            _(
                "Use only Latin letters, digits, spaces and / . - _ ( ) "
                "in the symbol pattern, besides its tokens."
            ),
            field,
        )
    widest = _fill(value, group_code(group_slug), _WIDEST["year"], _WIDEST["meeting"])
    if len(widest.replace("{n}", _WIDEST["n"])) > MAX_SYMBOL_CHARS:
        raise ValidationError(
            _(
                "Symbols of this pattern could be longer than %(n)d characters; "
                "shorten it (the group's short name counts for {group}).",
                n=MAX_SYMBOL_CHARS,
            ),
            field,
        )
    return value


def group_code(slug: str) -> str:
    """``{group}``: the group's short name, upper-cased."""
    return slug.upper()


def _fill(pattern: str, group: str, year: str, meeting: str | None) -> str:
    """The pattern with every token but ``{n}`` replaced."""
    if meeting is None:
        # Leave out the token and one separator next to it.
        pattern = re.sub(r"[" + re.escape(_SEPARATORS) + r"]\{meeting\}", "", pattern)
        pattern = re.sub(r"^\{meeting\}[" + re.escape(_SEPARATORS) + r"]?", "", pattern)
        pattern = pattern.replace("{meeting}", "")
    values = {"group": group, "year": year, "meeting": meeting or ""}
    return _TOKEN_RE.sub(lambda m: values.get(m.group(1), m.group(0)), pattern)


def meeting_number(meeting: Meeting) -> str:
    """``{meeting}``: the digits of the meeting's number ("2nd Meeting" → 2),
    else its place among the group's meetings by date (1, 2, 3…)."""
    digits = re.search(r"\d+", meeting.number or "")
    if digits:
        return str(int(digits.group()))
    if meeting.starts_at is not None:
        before = or_(
            Meeting.starts_at < meeting.starts_at,
            (Meeting.starts_at == meeting.starts_at) & (Meeting.id < meeting.id),
        )
    else:  # undated meetings come last
        before = or_(Meeting.starts_at.is_not(None), Meeting.id < meeting.id)
    earlier = db.session.scalar(
        select(func.count())
        .select_from(Meeting)
        .where(Meeting.group_id == meeting.group_id, Meeting.id != meeting.id, before)
    )
    return str((earlier or 0) + 1)


def counter_key(group: WorkingGroup, at: datetime, agenda_item: AgendaItem | None) -> str:
    """The expanded pattern with ``{n}`` left open: the counter's key."""
    meeting = meeting_number(agenda_item.meeting) if agenda_item is not None else None
    return _fill(group.symbol_pattern, group_code(group.slug), f"{at.year:04d}", meeting)


# Numbering ---------------------------------------------------------------------
def next_number(key: str) -> int:
    """The next number under ``key``, in the caller's transaction: one atomic
    statement; a concurrent transaction waits on the row until this one ends."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = (
        insert(SymbolCounter)
        .values(key=key, last=1)
        .on_conflict_do_update(index_elements=["key"], set_={"last": SymbolCounter.last + 1})
        .returning(SymbolCounter.last)
    )
    return db.session.execute(statement).scalar_one()


def _taken(symbol: str) -> bool:
    return db.session.scalar(select(Document.id).where(Document.symbol == symbol)) is not None


def _numbered(key: str) -> tuple[str, int]:
    """The next free symbol under ``key``. A number is skipped only when
    another pattern happened to produce the same text (the column is unique)."""
    while True:
        number = next_number(key)
        symbol = key.replace("{n}", str(number))
        if not _taken(symbol):
            return symbol, number


@dataclass(frozen=True)
class Lineage:
    """What a new document descends from."""

    parent: Document
    relation: Relation


def check_relation(value) -> Relation:
    try:
        return Relation(value)
    except ValueError as exc:
        raise ValidationError(
            _("Choose a revision, an addendum or a corrigendum."), "relation"
        ) from exc


def lineage_root(parent: Document, relation: Relation) -> Document:
    """The document a new one hangs from: a revision of a revision revises the original."""
    if relation == Relation.REVISION and parent.relation == Relation.REVISION and parent.parent:
        return parent.parent
    return parent


def check_lineage(parent: Document, relation: Relation) -> Document:
    """The parent to use, or the reason there can be no such document."""
    if parent.is_deleted:
        raise Conflict(
            _("This document is deleted: it can have no revision, addendum or corrigendum.")
        )
    if not parent.symbol:
        raise Conflict(
            _(
                "This document has no symbol, so it can have no revision, addendum or "
                "corrigendum: only official kinds (working paper, report, minutes, decision) "
                "of groups with a symbol pattern are numbered. Upload it as a new version instead."
            )
        )
    root = lineage_root(parent, relation)
    if len(root.symbol) + len(SUFFIXES[relation]) + 8 > SYMBOL_COLUMN_CHARS:
        raise Conflict(
            _("The symbol would be too long for another revision, addendum or corrigendum.")
        )
    return root


def assign(document: Document, lineage: Lineage | None = None, *, at: datetime | None = None):
    """Give a new document its symbol (and lineage), in the upload's transaction.

    Called once, on the first upload; later versions keep the symbol."""
    if document.symbol is not None:
        return
    if lineage is not None:
        root = check_lineage(lineage.parent, lineage.relation)
        key = f"{root.symbol}/{SUFFIXES[lineage.relation]}.{{n}}"
        document.symbol, document.relation_number = _numbered(key)
        document.parent = root
        document.relation = lineage.relation
        return
    group = document.group
    if document.kind not in OFFICIAL_KINDS or not group.symbol_pattern:
        return
    key = counter_key(group, at or utcnow(), document.agenda_item)
    document.symbol, _number = _numbered(key)


# Reading lineage ---------------------------------------------------------------
def superseded(audience=None):
    """SQL on Document: a newer revision (not deleted, and readable by
    ``audience`` when given: a reader who may not open the revision still
    finds the earlier text) replaces it.

    The original is superseded by any revision of it; Rev.k by a revision of the
    same original with a higher number."""
    newer = aliased(Document)
    own_root = case((Document.relation == Relation.REVISION, Document.parent_id), else_=Document.id)
    readable = newer.deleted_at.is_(None)
    if audience is not None:
        # The audience's own condition, said of the newer revision.
        readable = ClauseAdapter(inspect(newer).selectable).traverse(audience.condition())
    return exists().where(
        newer.relation == Relation.REVISION,
        readable,
        newer.parent_id == own_root,
        or_(
            Document.relation.is_(None),
            Document.relation != Relation.REVISION,
            newer.relation_number > Document.relation_number,
        ),
    )


def label(document: Document) -> str:
    """How a document is named in emails and exports: "SYMBOL — title"."""
    return f"{document.symbol} — {document.title}" if document.symbol else document.title


def words(symbol: str | None) -> str:
    """The symbol as the search index takes it: PostgreSQL's parser reads
    ``TC/ICT/CS/2026/3`` as one file path, so its parts are spaced out."""
    return (symbol or "").replace("/", " / ")
