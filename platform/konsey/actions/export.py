"""CSV export of a filtered list: UTF-8 with a byte-order mark, so that
spreadsheet programs open Cyrillic and Turkish text right."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from konsey.actions.labels import PRIORITY_LABELS, STATUS_LABELS
from konsey.models import ActionItem

BOM = "\ufeff"


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # A cell starting with one of these is a formula to a spreadsheet.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def source_label(item: ActionItem) -> str:
    parts = []
    if item.meeting is not None:
        parts.append(item.meeting.title)
    if item.agenda_item_id is not None:
        parts.append(_("agenda item %(n)s", n=item.agenda_item_id))
    if item.decision_id is not None:
        parts.append(_("decision %(n)s", n=item.decision_id))
    return " · ".join(parts)


def actions_csv(rows: list[tuple[ActionItem, bool]], locale: str | None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            _("ID"),
            _("Group"),
            _("Title"),
            _("Owing state"),
            _("Person"),
            _("Email"),
            _("Due date"),
            _("Status"),
            _("Overdue"),
            _("Priority"),
            _("Source"),
        ]
    )
    for item, overdue in rows:
        state = item.owing_state
        writer.writerow(
            _cell(v)
            for v in (
                item.id,
                item.group.name,
                item.title,
                state.display_name(locale) if state else "",
                item.assignee.name if item.assignee else "",
                item.assignee.email if item.assignee else "",
                item.due_date.isoformat(),
                STATUS_LABELS[item.status],
                _("yes") if overdue else _("no"),
                PRIORITY_LABELS[item.priority],
                source_label(item),
            )
        )
    return (BOM + out.getvalue()).encode("utf-8")
