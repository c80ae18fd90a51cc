"""Editing an action item (coordinators): the fields are validated as on
creation (konsey.actions.services._clean, one function for both) and every
change is listed in one history entry, its status unchanged."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from konsey import audit
from konsey.actions.closeout import COMMENT_MAX, lock
from konsey.actions.labels import agenda_item_label, decision_label
from konsey.errors import ValidationError
from konsey.extensions import db
from konsey.models import ActionItem, ActionUpdate
from konsey.validation import check_text

EDITABLE = (
    "title",
    "description",
    "owner_state",
    "assignee",
    "due_date",
    "priority",
    "meeting",
    "agenda_item",
    "decision",
)


EDIT_FIELDS = (
    "title",
    "description",
    "owner_state",
    "assignee",
    "due_date",
    "priority",
    "meeting_id",
    "agenda_item_id",
    "decision_id",
)


def shown_value(name: str, value) -> str | None:
    """How a field's value is kept in the history (as it read at the time)."""
    if value is None:
        return None
    if name == "owner_state":
        return f"{value.code} · {value.name}"
    if name == "assignee":
        return value.name
    if name == "due_date":
        return value.isoformat()
    if name == "priority":
        return value.value
    if name == "meeting":
        return value.title
    if name == "agenda_item":
        return agenda_item_label(value)
    if name == "decision":
        return decision_label(value)
    if name == "description" and len(value) > 200:
        return value[:199] + "…"
    return value


def edit_action(
    actor: audit.Actor,
    item: ActionItem,
    *,
    now: datetime,
    comment: str = "",
    confirm_past_due: bool = False,
    **fields,
) -> ActionUpdate:
    """Change an item's fields (coordinators: the caller checked ACTION_MANAGE).

    ``fields``: any of title, description, owner_state, assignee, due_date,
    priority, meeting_id, agenda_item_id, decision_id; a field not given
    keeps its value. Validated as on creation; each change is listed in one
    history entry (its status unchanged)."""
    unknown = set(fields) - set(EDIT_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be edited."), sorted(unknown)[0])
    comment = check_text(comment, "comment", required=False, max_length=COMMENT_MAX)
    lock(item)
    current = {
        "title": item.title,
        "description": item.description,
        "owner_state": item.owner_state,
        "assignee": item.assignee,
        "due_date": item.due_date,
        "priority": item.priority.value,
        "meeting_id": item.meeting_id,
        "agenda_item_id": item.agenda_item_id,
        "decision_id": item.decision_id,
    }
    wanted = {**current, **fields}
    due_changed = wanted["due_date"] != item.due_date
    from konsey.actions.services import _clean

    values = _clean(
        item.group,
        **wanted,
        now=now,
        confirm_past_due=confirm_past_due,
        check_past_due=due_changed,
    )
    changes = []
    for name in EDITABLE:
        old = getattr(item, name)
        if values[name] != old:
            changes.append(
                {
                    "field": name,
                    "old": shown_value(name, old),
                    "new": shown_value(name, values[name]),
                }
            )
            setattr(item, name, values[name])
    if not changes:
        raise ValidationError(_("Nothing was changed."), "title")
    item.updated_at = now
    update = ActionUpdate(
        action=item,
        user_id=actor.user_id,
        created_at=now,
        old_status=item.status,
        new_status=item.status,
        comment=comment,
        changes=changes,
    )
    db.session.add(update)
    db.session.flush()
    audit.record(actor, "action.edit", item, update=update.id,
                 fields=[c["field"] for c in changes])  # fmt: skip
    db.session.commit()
    return update
