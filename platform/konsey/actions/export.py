"""Exports of a filtered list, CSV and XLSX from the same typed rows
(konsey.spreadsheets: formula-safe cells, typed dates in the XLSX)."""

from __future__ import annotations

from flask import Response
from flask_babel import gettext as _

from konsey import spreadsheets
from konsey.actions.labels import PRIORITY_LABELS, STATUS_LABELS, source_label
from konsey.models import ActionItem

__all__ = ["actions_csv", "actions_export", "headers", "rows", "source_label"]


def headers() -> list[str]:
    return [
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


def rows(items: list[tuple[ActionItem, bool]], locale: str | None) -> list[list]:
    out = []
    for item, overdue in items:
        state = item.owing_state
        out.append(
            [
                item.id,
                item.group.name,
                item.title,
                state.display_name(locale) if state else "",
                item.assignee.name if item.assignee else "",
                item.assignee.email if item.assignee else "",
                item.due_date,
                str(STATUS_LABELS[item.status]),
                _("yes") if overdue else _("no"),
                str(PRIORITY_LABELS[item.priority]),
                source_label(item),
            ]
        )
    return out


def actions_csv(items: list[tuple[ActionItem, bool]], locale: str | None) -> bytes:
    return spreadsheets.csv_bytes(headers(), rows(items, locale))


def actions_export(items, locale: str | None, name: str, fmt: str) -> Response:
    """The list as ``name``.csv or ``name``.xlsx."""
    if fmt == "xlsx":
        return spreadsheets.xlsx_response(headers(), rows(items, locale), name, title=_("Actions"))
    return spreadsheets.csv_response(headers(), rows(items, locale), name)
