"""The review item ("Review of previous decisions and open actions"): its
text, written when the meeting is made (the previous meeting's agenda items
without an outcome), and its live list: what is still owed in the group and
what the previous meeting decided without an action, read when the page is
shown (current status), never copied into the item's text."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from konsey import policy
from konsey.extensions import db
from konsey.models import (
    UNSETTLED_STATUSES,
    ActionItem,
    ActionStatus,
    AgendaItem,
    Decision,
    Meeting,
    MeetingStatus,
    Minutes,
)
from konsey.models.base import utcnow
from konsey.policy import Action
from konsey.timefmt import local


def live_statuses() -> list[ActionStatus]:
    """Still to be done: open, in progress, and reported by the delegation
    and awaiting the secretariat (the actions' own rule)."""
    return list(UNSETTLED_STATUSES)


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
    previous = previous_meeting(meeting)
    decisions: list[Decision] = []
    if previous is not None:
        minutes = db.session.scalar(select(Minutes).where(Minutes.meeting_id == previous.id))
        if minutes is not None and policy.can(user, Action.MINUTES_VIEW, minutes):
            decisions = decisions_without_action(minutes)
    return Review(previous=previous, actions=open_actions(meeting), decisions=decisions)


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The group's last meeting (not cancelled) before this one, with its agenda."""
    before = meeting.starts_at or utcnow()
    return db.session.scalar(
        select(Meeting)
        .where(
            Meeting.group_id == meeting.group.id,
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.starts_at.is_not(None),
            Meeting.starts_at < before,
        )
        .order_by(Meeting.starts_at.desc())
        .limit(1)
        .options(selectinload(Meeting.agenda))
    )


def review_description(meeting: Meeting) -> str:
    """Markdown listing what the previous meeting left open."""
    previous = previous_meeting(meeting)
    if previous is None:
        return _("There is no earlier meeting of this group on record.")
    day = format_date(local(previous.starts_at, previous.timezone).date(), "long")
    name = f"{previous.number} {previous.title}".strip() if previous.number else previous.title
    open_items = [i for i in previous.agenda if not i.is_review and not i.outcome.strip()]
    # The group's open actions and the previous meeting's decisions without
    # an action are not copied here: the meeting page shows them live
    # (konsey.meetings.review), with their current status.
    if not open_items:
        return _(
            "The previous meeting, %(meeting)s (%(date)s), "
            "recorded an outcome for every agenda item.",
            meeting=name,
            date=day,
        )
    lines = [
        _(
            "Agenda items of the previous meeting, %(meeting)s (%(date)s), "
            "without a recorded outcome:",
            meeting=name,
            date=day,
        ),
        "",
    ]
    lines += [f"- {i.title}" for i in open_items]
    return "\n".join(lines)


def add_review_item(meeting: Meeting) -> AgendaItem:
    """Item 1 of a new meeting: review of previous decisions and open actions."""
    description = review_description(meeting)
    with db.session.no_autoflush:
        for item in meeting.agenda:
            item.position += 1
        review = AgendaItem(
            position=1,
            title=_("Review of previous decisions and open actions"),
            description=description,
            outcome="",
            is_review=True,
        )
        meeting.agenda.insert(0, review)
    return review
