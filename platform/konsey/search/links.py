"""Where a search result leads, and what its kind is called."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "document": _l("Document"),
    "minutes": _l("Minutes"),
    "decision": _l("Decision"),
    "agenda_item": _l("Agenda item"),
    "action": _l("Action item"),
}


def link_of(hit) -> str:
    """The page of the result's object (the reader may open it: search lists
    nothing else)."""
    if hit.kind == "document":
        return url_for("documents.document", slug=hit.group.slug, document_id=hit.object_id)
    if hit.kind == "minutes":
        return url_for("minutes.page", meeting_id=hit.meeting_id)
    if hit.kind == "decision":
        return url_for("minutes.page", meeting_id=hit.meeting_id) + f"#decision-{hit.object_id}"
    if hit.kind == "agenda_item":
        return url_for("meetings.show", meeting_id=hit.meeting_id) + "#agenda"
    return url_for("actions.show", slug=hit.group.slug, action_id=hit.object_id)
