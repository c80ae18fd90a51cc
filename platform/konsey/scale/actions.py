"""Action items in every status, each with the history that led there."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from konsey.models import ActionItem, ActionPriority, ActionStatus, ActionUpdate
from konsey.scale.bulk import Writer
from konsey.scale.meetings import GroupMeetings
from konsey.scale.people import GroupPeople

VERBS = [
    "Submit",
    "Nominate",
    "Inform the Secretariat of",
    "Prepare",
    "Circulate",
    "Translate",
    "Comment on",
    "Host",
]
OBJECTS = [
    "the national contact point",
    "the draft work plan",
    "the report on implementation",
    "the place and date of the next meeting",
    "proposals for joint projects",
    "the survey of national legislation",
    "the training programme",
    "the comments on the roadmap",
]
# Final status → the moves that led to it (after "open" on creation).
PATHS = {
    ActionStatus.OPEN: [[], [ActionStatus.IN_PROGRESS, ActionStatus.OPEN]],
    ActionStatus.IN_PROGRESS: [[ActionStatus.IN_PROGRESS]],
    ActionStatus.REPORTED: [
        [ActionStatus.REPORTED],
        [ActionStatus.IN_PROGRESS, ActionStatus.REPORTED],
    ],
    ActionStatus.DONE: [
        [ActionStatus.DONE],
        [ActionStatus.IN_PROGRESS, ActionStatus.REPORTED, ActionStatus.DONE],
    ],
    ActionStatus.CANCELLED: [[ActionStatus.CANCELLED], [ActionStatus.IN_PROGRESS, "cancel"]],
}
STATUSES = (
    [ActionStatus.OPEN] * 3
    + [ActionStatus.IN_PROGRESS] * 2
    + [ActionStatus.REPORTED]
    + [ActionStatus.DONE] * 4
    + [ActionStatus.CANCELLED]
)


def generate_actions(
    writer: Writer,
    rng: random.Random,
    group: GroupPeople,
    meetings: GroupMeetings,
    *,
    count: int,
    documents: list[int],
    today: datetime,
) -> None:
    items, updates = [], []
    states = sorted(group.delegations)
    people = group.delegates
    coordinator = group.coordinators[0].id
    for i in range(count):
        status = rng.choice(STATUSES)
        pending = status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
        # Pending items fall due from a year ago to half a year ahead (so many
        # are overdue); closed ones anywhere in the last three years.
        due = today.date() + timedelta(
            days=rng.randrange(-365, 180) if pending else rng.randrange(-1095, 30)
        )
        created = datetime.combine(due, today.timetz()) - timedelta(days=rng.randrange(30, 200))
        owner = rng.random()
        person = rng.choice(people) if owner >= 0.5 else None
        state = person.state_id if person and owner < 0.8 else None
        if person is None:
            state = rng.choice(states)
        source = rng.random()
        meeting_id = decision_id = agenda_item_id = None
        if source < 0.2 and meetings.decisions:
            decision_id, meeting_id = rng.choice(meetings.decisions)
        elif source < 0.6 and meetings.held:
            meeting_id, item_ids = rng.choice(meetings.held)
            agenda_item_id = rng.choice(item_ids) if item_ids and source < 0.4 else None
        item_id = writer.ids.take(ActionItem.__table__)
        history = [(None, ActionStatus.OPEN, coordinator, "", "")]
        old = ActionStatus.OPEN
        for move in rng.choice(PATHS[status]):
            new = ActionStatus.CANCELLED if move == "cancel" else move
            # The secretariat cancels and closes (acknowledging a report, or its own
            # "done"); the owner does the rest (konsey.actions.workflow).
            by_secretariat = new in (ActionStatus.CANCELLED, ActionStatus.DONE)
            who = coordinator if by_secretariat else (person or rng.choice(people)).id
            comment = {
                ActionStatus.IN_PROGRESS: "Work has started.",
                ActionStatus.REPORTED: "Sent through diplomatic channels.",
                ActionStatus.DONE: "Received; thank you."
                if old == ActionStatus.REPORTED
                else "Sent through diplomatic channels.",
                ActionStatus.CANCELLED: "No longer needed.",
                ActionStatus.OPEN: "Waiting for the ministry's reply.",
            }[new]
            reference = (
                f"Note verbale No. {i}/{rng.randrange(100, 999)}"
                if new == ActionStatus.REPORTED
                or (new == ActionStatus.DONE and old != ActionStatus.REPORTED)
                else ""
            )
            history.append((old, new, who, comment, reference))
            old = new
        if rng.random() < 0.3:  # a comment without a change of status
            history.append((old, old, (person or rng.choice(people)).id, "Reminder sent.", ""))
        items.append(
            {
                "id": item_id,
                "group_id": group.id,
                "title": f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}",
                "description": "Agreed at the meeting." if meeting_id else "",
                "owner_state_id": state,
                "assignee_id": person.id if person else None,
                "due_date": due,
                "status": status,
                "priority": rng.choice(list(ActionPriority)),
                "meeting_id": meeting_id,
                "agenda_item_id": agenda_item_id,
                "decision_id": decision_id,
                "created_by_id": coordinator,
                "created_at": created,
                "updated_at": created + timedelta(days=len(history) - 1),
            }
        )
        for step, (old_status, new_status, who, comment, reference) in enumerate(history):
            updates.append(
                {
                    "id": writer.ids.take(ActionUpdate.__table__),
                    "action_id": item_id,
                    "user_id": who,
                    "created_at": created + timedelta(days=step),
                    "old_status": old_status,
                    "new_status": new_status,
                    "comment": comment,
                    "reference": reference,
                    "document_id": rng.choice(documents)
                    if reference and documents and rng.random() < 0.3
                    else None,
                }
            )
    writer.insert(ActionItem.__table__, items)
    writer.insert(ActionUpdate.__table__, updates)
