"""The meeting's document list (``/meetings/<id>/documents``): the documents
linked to its agenda items that the reader may read — the workspace's own
query (``workspace.papers``, hence ``DocumentAudience``) — in agenda order.
The same list is what the meeting's ZIP holds."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from konsey.documents import bundle
from konsey.errors import NotFound, ServiceError
from konsey.meetings import workspace
from konsey.models import AgendaItem, Document, Meeting


@dataclass
class Row:
    document: Document
    item: AgendaItem
    item_number: int


class UnknownLanguage(ServiceError):
    status = 400
    code = "unknown_language"


def rows(user, meeting: Meeting) -> list[Row]:
    """``meeting`` comes with its agenda loaded; two queries beyond it."""
    items = list(meeting.agenda)
    numbers = {item.id: n for n, item in enumerate(items, 1)}
    by_id = {item.id: item for item in items}
    papers = workspace.papers(user, [item.id for item in items])
    listed = [
        Row(p.document, by_id[p.document.agenda_item_id], numbers[p.document.agenda_item_id])
        for p in papers
    ]
    # Agenda order; within an item, by symbol (as printed) then title.
    listed.sort(key=lambda r: (r.item_number, r.document.symbol or "\uffff", r.document.title))
    return listed


def check_language(value, fallback: str | None) -> str:
    """A document language (``?language=ru``); without one, ``fallback`` (the
    reader's own) when it is one."""
    languages = current_app.config["DOCUMENT_LANGUAGES"]
    code = (value or "").strip().lower() if isinstance(value, str) else ""
    if not code and fallback in languages:
        return fallback
    if code not in languages:
        raise UnknownLanguage(
            _(
                "%(code)s is not a document language; choose one of %(languages)s.",
                code=(code or "—")[:8],
                languages=", ".join(languages),
            ),
            "language",
        )
    return code


def zip_entries(user, meeting: Meeting, language: str) -> list[bundle.Entry]:
    """The files of the meeting's ZIP; NotFound (with the reason) when the
    reader may read none: an empty archive is never sent."""
    files = bundle.entries([r.document for r in rows(user, meeting)], language)
    if not files:
        raise NotFound(bundle.nothing_message())
    return files


def zip_filename(meeting: Meeting, language: str) -> str:
    return f"meeting-{meeting.id}-documents-{language}.zip"
