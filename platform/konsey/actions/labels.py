"""How statuses and priorities read on pages and in exports."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from konsey.models import ActionPriority, ActionStatus

STATUS_LABELS = {
    ActionStatus.OPEN: _l("open"),
    ActionStatus.IN_PROGRESS: _l("in progress"),
    ActionStatus.REPORTED: _l("reported done"),
    ActionStatus.DONE: _l("done"),
    ActionStatus.CANCELLED: _l("cancelled"),
}

PRIORITY_LABELS = {
    ActionPriority.LOW: _l("low"),
    ActionPriority.NORMAL: _l("normal"),
    ActionPriority.HIGH: _l("high"),
}

# What an edit entry names each field (templates/actions/_progress.html).
FIELD_LABELS = {
    "title": _l("title"),
    "description": _l("description"),
    "owner_state": _l("owing state"),
    "assignee": _l("person"),
    "due_date": _l("due date"),
    "priority": _l("priority"),
    "meeting": _l("meeting"),
    "agenda_item": _l("agenda item"),
    "decision": _l("decision"),
}


def agenda_item_label(item) -> str:
    """An agenda item as the agenda numbers it: "item 6, Place and date of …"."""
    return _("item %(n)d, %(title)s", n=item.position, title=item.title)


def decision_label(decision) -> str:
    """A decision by its number in the minutes: "decision 2"."""
    return _("decision %(n)d", n=decision.position)


def source_label(item) -> str:
    """Where an item came from: "3rd Meeting · item 6, Place and … · decision 2"."""
    parts = []
    if item.meeting is not None:
        parts.append(item.meeting.title)
    if item.agenda_item is not None:
        parts.append(agenda_item_label(item.agenda_item))
    if item.decision is not None:
        parts.append(decision_label(item.decision))
    return " · ".join(parts)
