"""A meeting's agenda: ordered items and their leads; adding, editing,
deleting, moving and reordering them, refused once the agenda is frozen.
The review item lives in konsey.meetings.review."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from konsey import audit
from konsey.errors import Conflict, NotFound, ValidationError
from konsey.extensions import db
from konsey.meetings.services import touch
from konsey.models import (
    AgendaItem,
    Meeting,
    Membership,
    MemberState,
    Minutes,
    MinutesStatus,
    Role,
    User,
)
from konsey.validation import check_line, check_text

ITEM_FIELDS = (
    "title",
    "description",
    "lead_state_id",
    "lead_user_id",
    "duration_minutes",
    "outcome",
)
MAX_MARKDOWN = 20_000
MAX_DURATION = 24 * 60


def lead_states(group) -> list[MemberState]:
    """Member states with a delegation in the group (who may lead an item)."""
    return list(
        db.session.scalars(
            select(MemberState)
            .where(
                MemberState.id.in_(
                    select(Membership.member_state_id).where(
                        Membership.group_id == group.id, Membership.role != Role.OBSERVER
                    )
                ),
            )
            .order_by(MemberState.name)
        )
    )


def lead_people(group) -> list[User]:
    """The group's members (who may lead an item)."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.group_id == group.id, User.is_active_account.is_(True))
            .order_by(User.name)
        )
    )


def _clean(meeting: Meeting, values: dict) -> dict:
    out = {
        "title": check_line(values.get("title"), "title", max_length=300),
        "description": check_text(
            values.get("description"), "description", required=False, max_length=MAX_MARKDOWN
        ),
        "outcome": check_text(
            values.get("outcome"), "outcome", required=False, max_length=MAX_MARKDOWN
        ),
    }
    duration = values.get("duration_minutes")
    if duration is not None and (
        not isinstance(duration, int) or not 1 <= duration <= MAX_DURATION
    ):
        raise ValidationError(
            _("Give the duration in minutes, from 1 to %(n)d.", n=MAX_DURATION),
            "duration_minutes",
        )
    out["duration_minutes"] = duration
    state_id = values.get("lead_state_id") or None
    if state_id is not None and state_id not in {s.id for s in lead_states(meeting.group)}:
        raise ValidationError(
            _("Choose a member state with a delegation in this group."), "lead_state"
        )
    out["lead_state_id"] = state_id
    user_id = values.get("lead_user_id") or None
    if user_id is not None and user_id not in {u.id for u in lead_people(meeting.group)}:
        raise ValidationError(_("Choose a member of this group."), "lead_user")
    out["lead_user_id"] = user_id
    return out


def get_item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise NotFound(_("This meeting has no such agenda item."))
    return item


def frozen_reason(status: MinutesStatus | None) -> str | None:
    """Why the agenda can no longer change (None while it can): once its
    minutes are circulated, the record names its items."""
    if status == MinutesStatus.SIGNED:
        return _("The minutes of this meeting are signed: its agenda can no longer change.")
    if status == MinutesStatus.AGREED:
        return _("The minutes of this meeting are agreed: its agenda can no longer change.")
    if status == MinutesStatus.CIRCULATED:
        return _("The minutes of this meeting are circulated: its agenda can no longer change.")
    return None


def require_open(meeting: Meeting) -> None:
    """Every change of a frozen agenda is refused (409 with the reason)."""
    status = db.session.scalar(select(Minutes.status).where(Minutes.meeting_id == meeting.id))
    reason = frozen_reason(status)
    if reason is not None:
        raise Conflict(reason)


def _renumber(meeting: Meeting) -> None:
    for position, item in enumerate(sorted(meeting.agenda, key=lambda i: i.position), 1):
        item.position = position


def add_item(actor: audit.Actor, meeting: Meeting, values: dict) -> AgendaItem:
    require_open(meeting)
    data = _clean(meeting, values)
    position = max((i.position for i in meeting.agenda), default=0) + 1
    item = AgendaItem(meeting=meeting, position=position, **data)
    db.session.add(item)
    touch(meeting)
    audit.record(actor, "agenda.add", meeting, item=data["title"], position=position)
    db.session.commit()
    return item


def update_item(actor: audit.Actor, item: AgendaItem, values: dict) -> list[str]:
    require_open(item.meeting)
    data = _clean(item.meeting, values)
    changed = sorted(k for k, v in data.items() if getattr(item, k) != v)
    if not changed:
        return []
    for key in changed:
        setattr(item, key, data[key])
    touch(item.meeting)
    audit.record(actor, "agenda.update", item.meeting, item=item.title, changed=changed)
    db.session.commit()
    return changed


def delete_item(actor: audit.Actor, item: AgendaItem) -> None:
    meeting = item.meeting
    require_open(meeting)
    meeting.agenda.remove(item)  # delete-orphan
    _renumber(meeting)
    touch(meeting)
    audit.record(actor, "agenda.delete", meeting, item=item.title)
    db.session.commit()


def move_item(actor: audit.Actor, item: AgendaItem, direction: str) -> bool:
    """Swap the item with its neighbour above ("up") or below ("down").
    Returns False when it is already first or last (nothing changed)."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Move an item up or down."), "direction")
    meeting = item.meeting
    require_open(meeting)
    _renumber(meeting)
    items = sorted(meeting.agenda, key=lambda i: i.position)
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return False
    neighbour = items[other]
    item.position, neighbour.position = neighbour.position, item.position
    touch(meeting)
    audit.record(
        actor, "agenda.move", meeting, item=item.title, direction=direction, position=item.position
    )
    db.session.commit()
    return True


def reorder(
    actor: audit.Actor, meeting: Meeting, ids: list[int], moved_id: int | None = None
) -> AgendaItem | None:
    """Put the agenda in the order of ``ids``, which must name each of the
    meeting's items exactly once (else 409: the page is out of date; nothing
    changed). Returns the item
    that was moved (``moved_id``, else the one that moved the furthest), or
    None when the order is unchanged."""
    require_open(meeting)
    items = lock_agenda(meeting)
    by_id = {i.id: i for i in items}
    if len(ids) != len(set(ids)) or set(ids) != set(by_id):
        raise Conflict(
            _(
                "The new order must name each item of this agenda exactly once; "
                "reload the page to see its current items."
            ),
            "items",
        )
    before = [i.id for i in items]
    if ids == before:
        return None
    moved = by_id.get(moved_id) or max(
        items, key=lambda i: abs(before.index(i.id) - ids.index(i.id))
    )
    for position, item_id in enumerate(ids, 1):
        by_id[item_id].position = position
    touch(meeting)
    audit.record(
        actor,
        "agenda.reorder",
        meeting,
        item=moved.title,
        position=moved.position,
        order=[by_id[i].title for i in ids],
    )
    db.session.commit()
    return moved


def lock_agenda(meeting: Meeting) -> list[AgendaItem]:
    """Serialise agenda changes of one meeting (row lock on PostgreSQL) so two
    reorders cannot interleave their positions; the items as they are now."""
    db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    return list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position, AgendaItem.id)
            .execution_options(populate_existing=True)
        )
    )
