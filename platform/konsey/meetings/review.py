"""The review item's live list: what is still owed in the group and what the
previous meeting decided without an action. Read when the page is shown
(current status), never copied into the agenda item's text."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import exists, select

from konsey import policy
from konsey.extensions import db
from konsey.models import ActionItem, ActionStatus, Decision, Meeting, Minutes
from konsey.policy import Action

# Still to be done: open, in progress, and (where the workflow has it)
# reported by the delegation and awaiting the secretariat.
LIVE_STATUSES = ("open", "in_progress", "reported")


def live_statuses() -> list[ActionStatus]:
    return [s for s in ActionStatus if s.value in LIVE_STATUSES]


@dataclass
class Review:
    previous: Meeting | None
    actions: list[ActionItem] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)  # the previous meeting's


def open_actions(meeting: Meeting) -> list[ActionItem]:
    """The group's actions still to be done (not those made at this meeting)."""
    from konsey.meetings.workspace import action_options

    query = (
        select(ActionItem)
        .where(
            ActionItem.group_id == meeting.group_id,
            ActionItem.status.in_(live_statuses()),
        )
        .options(*action_options())
        .order_by(ActionItem.due_date, ActionItem.id)
    )
    if meeting.id is not None:
        query = query.where(
            (ActionItem.meeting_id.is_(None)) | (ActionItem.meeting_id != meeting.id)
        )
    return list(db.session.scalars(query).unique())


def decisions_without_action(minutes: Minutes | None) -> list[Decision]:
    """The minutes' current decisions that no action item came from."""
    from konsey.meetings.workspace import current_decisions

    if minutes is None:
        return []
    query = current_decisions(
        select(Decision).where(
            Decision.minutes_id == minutes.id,
            ~exists().where(ActionItem.decision_id == Decision.id),
        )
    )
    return list(db.session.scalars(query.order_by(Decision.position, Decision.id)))


def live(user, meeting: Meeting) -> Review:
    from konsey.meetings.agenda import previous_meeting

    previous = previous_meeting(meeting)
    decisions: list[Decision] = []
    if previous is not None:
        minutes = db.session.scalar(select(Minutes).where(Minutes.meeting_id == previous.id))
        if minutes is not None and policy.can(user, Action.MINUTES_VIEW, minutes):
            decisions = decisions_without_action(minutes)
    return Review(previous=previous, actions=open_actions(meeting), decisions=decisions)
