"""Which recorded changes are worth telling, to whom, and how they read.

Digests read the audit log: every change is there already, with its group,
in the same transaction as the change itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from konsey.documents import symbols
from konsey.extensions import db
from konsey.models import AuditEvent, Meeting, Minutes, Role, User

# action → (kind, how it reads)
LABELS = {
    "meeting.create": ("meeting", _l("New meeting")),
    "meeting.update": ("meeting", _l("Meeting changed")),
    "meeting.cancel": ("meeting", _l("Meeting cancelled")),
    "agenda.add": ("meeting", _l("Agenda item added")),
    "agenda.update": ("meeting", _l("Agenda item changed")),
    "minutes.circulate": ("minutes", _l("Minutes circulated for comments")),
    "minutes.agreed": ("minutes", _l("Minutes agreed by all member states")),
    "minutes.sign": ("minutes", _l("Minutes signed")),
    "document.create": ("document", _l("New document")),
    "document.version": ("document", _l("New version of a document")),
    "document.release": ("document", _l("Document released from embargo")),
    "action.create": ("action", _l("New action item for you or your state")),
    "action.update": ("action", _l("Action item updated")),
    "action.edit": ("action", _l("Action item changed")),
}
DIGEST_ACTIONS = list(LABELS)


@dataclass
class Item:
    kind: str
    label: object  # a lazy string: translated when the email is rendered
    title: str
    when: datetime
    endpoint: str | None = None  # the page to link to, built when rendering
    args: dict | None = None
    meeting: Meeting | None = None
    due: object = None  # an action item's due date


def load_objects(events: list[AuditEvent]) -> dict[str, dict[int, object]]:
    """The objects the events name, one query per kind of object."""
    ids: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.object_id and event.object_id.isdigit():
            ids[event.object_type].add(int(event.object_id))
    loaded: dict[str, dict[int, object]] = {}
    for table, model in _MODELS.items():
        if ids.get(table):
            loaded[table] = {
                obj.id: obj
                for obj in db.session.scalars(select(model).where(model.id.in_(ids[table])))
            }
    return loaded


def _models():
    from konsey.models import ActionItem, AgendaItem, Document

    return {
        "meeting": Meeting,
        "agenda_item": AgendaItem,
        "minutes": Minutes,
        "document": Document,
        "action_item": ActionItem,
    }


_MODELS = _models()


def describe(event: AuditEvent, user: User, role: Role, objects) -> Item | None:
    """The event as the user should read it, or None if it is not for them."""
    kind, label = LABELS.get(event.action, (None, None))
    if kind is None:
        return None
    obj = objects.get(event.object_type or "", {}).get(int(event.object_id or 0))
    if obj is None:
        return None
    if kind == "document":
        return _document_item(obj, label, event, user, role)
    if kind == "action":
        return _action_item(obj, label, event, user, role)
    meeting = _meeting_of(obj)
    endpoint = None
    if meeting is not None:
        endpoint = "minutes.page" if kind == "minutes" else "meetings.show"
    return Item(
        kind=kind,
        label=label,
        title=getattr(obj, "title", None)
        or (meeting.title if meeting else "")
        or (event.object_label or ""),
        when=event.created_at,
        endpoint=endpoint,
        args={"meeting_id": meeting.id} if meeting is not None else None,
        meeting=meeting,
    )


def _meeting_of(obj) -> Meeting | None:
    if isinstance(obj, Meeting):
        return obj
    return getattr(obj, "meeting", None)


def _document_item(document, label, event, user: User, role: Role) -> Item | None:
    """For members of the document's group, the audience rule of
    ``policy.DocumentAudience`` (their role in that group is enough): observers
    read only what is shared with observers, an embargoed document is news only
    to those who may see it under embargo (to the others its release is), a
    deleted document is nobody's news."""
    from konsey.policy import DocumentAudience

    audience = DocumentAudience.from_roles(user, {document.group_id: role})
    if not audience.admits_news(document, event.action, event.created_at):
        return None
    return Item(
        kind="document",
        label=label,
        title=symbols.label(document),
        when=event.created_at,
        endpoint="documents.document",
        args={"slug": document.group.slug, "document_id": document.id},
    )


def owes(item, user: User, role: Role) -> bool:
    """Owed by the user, or by their state (to its delegation in the group)."""
    if role == Role.OBSERVER:
        return False
    if item.assignee_id == user.id:
        return True
    return item.owner_state_id is not None and item.owner_state_id == user.member_state_id


def _action_item(item, label, event, user: User, role: Role) -> Item | None:
    if not owes(item, user, role):
        return None
    return Item(
        kind="action",
        label=label,
        title=item.title,
        when=event.created_at,
        endpoint="actions.show",
        args={"slug": item.group.slug, "action_id": item.id},
        due=item.due_date,
    )


def due_item(item, overdue: bool) -> Item:
    return Item(
        kind="action",
        label=_l("Overdue") if overdue else _l("Due within a week"),
        title=item.title,
        when=item.updated_at,
        endpoint="actions.show",
        args={"slug": item.group.slug, "action_id": item.id},
        due=item.due_date,
    )
