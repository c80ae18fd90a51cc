"""Writing audit events: who did what, when, to which object, from where.

Services call ``record`` inside the transaction of the change, so an event
exists exactly when its change does.
"""

from __future__ import annotations

from dataclasses import dataclass

from konsey.extensions import db
from konsey.models import AuditEvent, User


@dataclass(frozen=True)
class Actor:
    """Who is acting and from where; built by routes and CLI commands."""

    user: User | None
    ip: str | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None


SYSTEM = Actor(user=None, ip=None)


def _label(obj) -> str | None:
    for attr in ("email", "slug", "code", "name", "title"):
        value = getattr(obj, attr, None)
        if value:
            return str(value)[:300]
    return None


def group_id_of(obj) -> int | None:
    """The working group an object lives in, following its parents (meeting,
    minutes, version, document, action…), or None outside any group."""
    for _ in range(4):
        if obj is None:
            return None
        if getattr(obj, "__tablename__", None) == "working_group":
            return obj.id
        group_id = getattr(obj, "group_id", None)
        if group_id is not None:
            return group_id
        obj = next(
            (
                getattr(obj, parent)
                for parent in ("meeting", "minutes", "version", "document", "action")
                if getattr(obj, parent, None) is not None
            ),
            None,
        )
    return None


def object_fields(obj) -> dict[str, str | None]:
    """How an event names its object: table, id, and a label that outlives it."""
    return {
        "object_type": obj.__tablename__,
        "object_id": str(obj.id),
        "object_label": _label(obj),
    }


def record(actor: Actor, action: str, obj=None, **details) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.user_id,
        action=action,
        ip=actor.ip,
        details={k: _jsonable(v) for k, v in details.items()},
    )
    if obj is not None:
        if obj.id is None:
            db.session.flush()
        for name, value in object_fields(obj).items():
            setattr(event, name, value)
        event.group_id = group_id_of(obj)
    db.session.add(event)
    return event


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
