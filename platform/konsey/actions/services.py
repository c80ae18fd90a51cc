"""The rules of a well-formed action item: creating and editing (one
validation for both), who may owe what, where it came from.

Routes and the API check *who* may act (konsey.policy) before calling these.
The workflow (status moves) is konsey.actions.workflow, carried out by
konsey.actions.closeout; its functions are re-exported here.
Every change is audited in its own transaction; on a ServiceError nothing has
been written.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from konsey import audit
from konsey.actions.closeout import (  # noqa: F401 (the services' API)
    COMMENT_MAX,
    REFERENCE_MAX,
    acknowledge,
    check_status,
    lock,
    report_action,
    send_back,
    update_action,
)
from konsey.actions.labels import STATUS_LABELS
from konsey.actions.overdue import local_today
from konsey.errors import Conflict, NotFound, ValidationError
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
from konsey.validation import check_date, check_line, check_text

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000


class DuplicateFromDecision(Conflict):
    """The decision already has actions; another needs an explicit confirmation."""

    code = "duplicate_action"

    def __init__(self, message: str, existing: list[ActionItem]):
        super().__init__(message, "confirm_duplicate")
        self.existing = existing
        self.existing = existing


def check_priority(value) -> ActionPriority:
    try:
        return ActionPriority(value or ActionPriority.NORMAL)
    except ValueError as exc:
        raise ValidationError(_("Unknown priority; use low, normal or high."), "priority") from exc


def _check_owner(group: WorkingGroup, state: MemberState | None, assignee: User | None) -> None:
    if state is None and assignee is None:
        raise ValidationError(
            _("Say who owes this action: a member state, a person, or both."), "owner_state"
        )
    if state is not None and not state.is_member:
        raise ValidationError(
            _("%(state)s is an observer state; only a member state can owe an action.",
              state=state.display_name()),
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
              name=assignee.name, state=state.display_name()),
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
    if decision is not None and decision.minutes.meeting_id != meeting.id:
        raise ValidationError(_("The decision is not in this meeting's minutes."), "decision")
    if agenda_item is not None and agenda_item.meeting_id != meeting.id:
        raise ValidationError(_("The agenda item is not on this meeting's agenda."), "agenda_item")
    return meeting, agenda_item, decision


def _clean(
    group: WorkingGroup,
    *,
    title,
    description,
    owner_state,
    assignee,
    due_date,
    priority,
    meeting_id,
    agenda_item_id,
    decision_id,
    now: datetime,
    confirm_past_due: bool,
    check_past_due: bool = True,
) -> dict:
    """The one validation of an item's fields, for creating and for editing;
    returns the values to store (sources resolved to objects)."""
    title = check_line(title, "title", max_length=TITLE_MAX)
    description = check_text(description, "description", required=False, max_length=DESCRIPTION_MAX)
    priority = check_priority(priority)
    _check_owner(group, owner_state, assignee)
    if due_date is None:
        raise ValidationError(_("Enter a due date (YYYY-MM-DD)."), "due_date")
    due_date = check_date(due_date, "due_date")
    zone = owner_state.capital_timezone if owner_state else assignee.timezone
    if check_past_due and due_date < local_today(zone, now) and not confirm_past_due:
        raise ValidationError(
            _("The due date is in the past (in the owner's time zone, %(zone)s); "
              "confirm that this is intended.", zone=zone),
            "due_date",
        )  # fmt: skip
    meeting, agenda_item, decision = _check_sources(group, meeting_id, agenda_item_id, decision_id)
    return {
        "title": title,
        "description": description,
        "owner_state": owner_state,
        "assignee": assignee,
        "due_date": due_date,
        "priority": priority,
        "meeting": meeting,
        "agenda_item": agenda_item,
        "decision": decision,
    }


def actions_of_decision(decision: Decision) -> list[ActionItem]:
    return list(
        db.session.scalars(
            select(ActionItem)
            .where(ActionItem.decision_id == decision.id)
            .options(joinedload(ActionItem.owner_state), joinedload(ActionItem.assignee))
            .order_by(ActionItem.id)
        )
    )


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
    confirm_duplicate: bool = False,
) -> ActionItem:
    """A new open item; the caller has checked ACTION_MANAGE on the group.

    An item from a decision that already has actions needs
    ``confirm_duplicate`` (else DuplicateFromDecision, 409, with the list)."""
    values = _clean(
        group,
        title=title,
        description=description,
        owner_state=owner_state,
        assignee=assignee,
        due_date=due_date,
        priority=priority,
        meeting_id=meeting_id,
        agenda_item_id=agenda_item_id,
        decision_id=decision_id,
        now=now,
        confirm_past_due=confirm_past_due,
    )
    decision = values["decision"]
    if decision is not None and not confirm_duplicate:
        existing = actions_of_decision(decision)
        if existing:
            raise DuplicateFromDecision(
                ngettext(
                    "This decision already has %(num)d action; confirm that another is wanted.",
                    "This decision already has %(num)d actions; confirm that another is wanted.",
                    len(existing),
                ),
                existing,
            )
    item = ActionItem(group=group, created_by_id=actor.user_id, created_at=now, updated_at=now,
                      **values)  # fmt: skip
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
        due_date=values["due_date"].isoformat(),
        decision=decision.id if decision else None,
    )
    db.session.commit()
    return item


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


# Editing (konsey.actions.editing) uses the checks above; part of this API too.
from konsey.actions.editing import EDIT_FIELDS, edit_action, shown_value  # noqa: E402, F401
