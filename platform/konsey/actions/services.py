"""The rules of action items, in one place: who may owe what, the workflow.

Routes and the API check *who* may act (konsey.policy) before calling these;
what the item's status allows, and the rules of a well-formed item, are here.
Every change is audited in its own transaction; on a ServiceError nothing has
been written.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from konsey import audit, policy
from konsey.actions.labels import STATUS_LABELS
from konsey.actions.overdue import local_today
from konsey.errors import NotFound, ValidationError
from konsey.extensions import db
from konsey.models import (
    ActionItem,
    ActionPriority,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    Decision,
    Meeting,
    Membership,
    MemberState,
    Minutes,
    Role,
    User,
    WorkingGroup,
)
from konsey.models.base import utcnow
from konsey.policy import Action
from konsey.validation import check_date, check_line, check_text

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
COMMENT_MAX = 10_000
REFERENCE_MAX = 300

# Moves anyone who may update an item can make; every other move (cancel,
# reopen a done or cancelled item) is the coordinators'.
_UPDATER_MOVES = {
    ActionStatus.OPEN: {ActionStatus.IN_PROGRESS, ActionStatus.DONE},
    ActionStatus.IN_PROGRESS: {ActionStatus.OPEN, ActionStatus.DONE},
}
_COORDINATOR_MOVES = {
    ActionStatus.OPEN: {ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.CANCELLED},
    ActionStatus.IN_PROGRESS: {ActionStatus.OPEN, ActionStatus.DONE, ActionStatus.CANCELLED},
    ActionStatus.DONE: {ActionStatus.OPEN, ActionStatus.IN_PROGRESS},
    ActionStatus.CANCELLED: {ActionStatus.OPEN, ActionStatus.IN_PROGRESS},
}


def check_status(value) -> ActionStatus:
    try:
        return ActionStatus(value)
    except ValueError as exc:
        raise ValidationError(
            _("Unknown status; use open, in_progress, done or cancelled."), "status"
        ) from exc


def check_priority(value) -> ActionPriority:
    try:
        return ActionPriority(value or ActionPriority.NORMAL)
    except ValueError as exc:
        raise ValidationError(_("Unknown priority; use low, normal or high."), "priority") from exc


def allowed_moves(item: ActionItem, *, manages: bool) -> set[ActionStatus]:
    return set((_COORDINATOR_MOVES if manages else _UPDATER_MOVES).get(item.status, ()))


def _check_owner(group: WorkingGroup, state: MemberState | None, assignee: User | None) -> None:
    if state is None and assignee is None:
        raise ValidationError(
            _("Say who owes this action: a member state, a person, or both."), "owner_state"
        )
    if state is not None and not state.is_member:
        raise ValidationError(
            _("%(state)s is an observer state; only a member state can owe an action.",
              state=state.name),
            "owner_state",
        )  # fmt: skip
    if assignee is None:
        return
    role = db.session.scalar(
        select(Membership.role).where(
            Membership.group_id == group.id, Membership.user_id == assignee.id
        )
    )
    if role is None or not assignee.is_active:
        raise ValidationError(
            _("%(name)s is not in this group; an action can only be assigned to a member.",
              name=assignee.name),
            "assignee",
        )  # fmt: skip
    if role == Role.OBSERVER:
        raise ValidationError(
            _("%(name)s is an observer; observers cannot owe actions.", name=assignee.name),
            "assignee",
        )
    if state is not None and assignee.member_state_id != state.id:
        raise ValidationError(
            _("%(name)s does not belong to %(state)s; choose a person of the owing state.",
              name=assignee.name, state=state.name),
            "assignee",
        )  # fmt: skip


def _check_sources(group, meeting_id, agenda_item_id, decision_id):
    """Resolve the source ids; each must belong to the group. Returns the three objects."""
    decision = db.session.get(Decision, decision_id) if decision_id else None
    if decision_id and (decision is None or decision.minutes.meeting.group_id != group.id):
        raise ValidationError(_("This decision is not one of this group's."), "decision")
    agenda_item = db.session.get(AgendaItem, agenda_item_id) if agenda_item_id else None
    if agenda_item is None and decision is not None:
        agenda_item = decision.agenda_item
    if agenda_item_id and (agenda_item is None or agenda_item.meeting.group_id != group.id):
        raise ValidationError(_("This agenda item is not one of this group's."), "agenda_item")
    meeting = db.session.get(Meeting, meeting_id) if meeting_id else None
    if meeting_id and (meeting is None or meeting.group_id != group.id):
        raise ValidationError(_("This meeting is not one of this group's."), "meeting")
    if meeting is None:
        meeting = (
            agenda_item.meeting if agenda_item else decision.minutes.meeting if decision else None
        )
    if agenda_item is not None and agenda_item.meeting_id != meeting.id:
        raise ValidationError(_("The agenda item is not on this meeting's agenda."), "agenda_item")
    if decision is not None and decision.minutes.meeting_id != meeting.id:
        raise ValidationError(_("The decision is not in this meeting's minutes."), "decision")
    return meeting, agenda_item, decision


def create_action(
    actor: audit.Actor,
    group: WorkingGroup,
    *,
    title: str,
    due_date: date | None,
    now: datetime,
    description: str = "",
    owner_state: MemberState | None = None,
    assignee: User | None = None,
    priority: str | None = None,
    meeting_id: int | None = None,
    agenda_item_id: int | None = None,
    decision_id: int | None = None,
    confirm_past_due: bool = False,
) -> ActionItem:
    """A new open item; the caller has checked ACTION_MANAGE on the group."""
    title = check_line(title, "title", max_length=TITLE_MAX)
    description = check_text(description, "description", required=False, max_length=DESCRIPTION_MAX)
    priority = check_priority(priority)
    _check_owner(group, owner_state, assignee)
    if due_date is None:
        raise ValidationError(_("Enter a due date (YYYY-MM-DD)."), "due_date")
    due_date = check_date(due_date, "due_date")
    zone = owner_state.capital_timezone if owner_state else assignee.timezone
    if due_date < local_today(zone, now) and not confirm_past_due:
        raise ValidationError(
            _("The due date is in the past (in the owner's time zone, %(zone)s); "
              "confirm that this is intended.", zone=zone),
            "due_date",
        )  # fmt: skip
    meeting, agenda_item, decision = _check_sources(group, meeting_id, agenda_item_id, decision_id)
    item = ActionItem(
        group=group,
        title=title,
        description=description,
        owner_state=owner_state,
        assignee=assignee,
        due_date=due_date,
        priority=priority,
        meeting=meeting,
        agenda_item=agenda_item,
        decision=decision,
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    item.updates.append(
        ActionUpdate(user_id=actor.user_id, created_at=now, new_status=ActionStatus.OPEN)
    )
    db.session.add(item)
    audit.record(
        actor,
        "action.create",
        item,
        group=group.slug,
        owner_state=owner_state.code if owner_state else None,
        assignee=assignee.email if assignee else None,
        due_date=due_date.isoformat(),
        decision=decision.id if decision else None,
    )
    db.session.commit()
    return item


def update_action(
    actor: audit.Actor,
    item: ActionItem,
    *,
    now: datetime,
    status: str | None = None,
    comment: str = "",
    reference: str = "",
    document_id: int | None = None,
) -> ActionUpdate:
    """Record a status change and/or a comment and evidence.

    The caller has checked ACTION_UPDATE; the workflow decides the rest.
    """
    new = check_status(status) if status not in (None, "") else item.status
    comment = check_text(comment, "comment", required=False, max_length=COMMENT_MAX)
    reference = check_line(reference, "reference", required=False, max_length=REFERENCE_MAX)
    manages = policy.can(actor.user, Action.ACTION_MANAGE, item)
    if item.status.is_closed and not manages:
        raise ValidationError(
            _("This action is %(status)s; only a coordinator can reopen or change it.",
              status=status_label(item.status)),
            "status",
        )  # fmt: skip
    if new != item.status and new not in allowed_moves(item, manages=manages):
        if new == ActionStatus.CANCELLED:
            message = _("Only a coordinator can cancel an action.")
        else:
            message = _(
                "An action cannot go from %(old)s to %(new)s.",
                old=status_label(item.status),
                new=status_label(new),
            )
        raise ValidationError(message, "status")
    if new == ActionStatus.CANCELLED and new != item.status and not comment:
        raise ValidationError(_("Give the reason for cancelling in the comment."), "comment")
    if new == item.status and not (comment or reference or document_id):
        raise ValidationError(_("Change the status or write a comment."), "comment")
    document_id = _check_document(item, document_id)
    update = ActionUpdate(
        action=item,
        user_id=actor.user_id,
        created_at=now,
        old_status=item.status,
        new_status=new,
        comment=comment,
        reference=reference,
        document_id=document_id,
    )
    old = item.status
    item.status = new
    item.updated_at = now
    db.session.add(update)
    db.session.flush()  # the update's id: what a notice about it is keyed by
    audit.record(
        actor,
        "action.update",
        item,
        update=update.id,
        old=old,
        new=new,
        reference=reference or None,
        comment_chars=len(comment),
    )
    db.session.commit()
    return update


def _check_document(item: ActionItem, document_id: int | None) -> int | None:
    """An attached document must be the group's (when documents exist)."""
    if not document_id:
        return None
    try:
        from konsey.models import Document  # the documents area's model
    except ImportError:
        raise ValidationError(_("Documents cannot be attached yet."), "document") from None
    document = db.session.get(Document, document_id)
    if document is None or document.group_id != item.group_id or document.is_deleted:
        raise ValidationError(_("This document is not one of this group's."), "document")
    return document.id


def decision_in_group(group: WorkingGroup, decision_id: int) -> Decision:
    decision = db.session.scalar(
        select(Decision)
        .join(Minutes, Minutes.id == Decision.minutes_id)
        .join(Meeting, Meeting.id == Minutes.meeting_id)
        .where(Decision.id == decision_id, Meeting.group_id == group.id)
    )
    if decision is None:
        raise NotFound(_("There is no such decision in this group."))
    return decision


def status_label(status: ActionStatus) -> str:
    return str(STATUS_LABELS[status])


def now_utc() -> datetime:
    return utcnow()
