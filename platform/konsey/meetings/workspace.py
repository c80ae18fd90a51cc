"""The meeting page as the workspace: per agenda item its papers, decisions
and actions; the meeting's documents; where the record stands (the step bar)
and who must act next; the review item's live list.

A fixed number of queries whatever the number of items, documents,
decisions or actions (tests/integration/test_meeting_workspace.py counts them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from konsey import policy
from konsey.extensions import db
from konsey.meetings import agenda, display, review
from konsey.minutes import queries as minutes_queries
from konsey.models import (
    ActionItem,
    AgendaItem,
    Decision,
    Document,
    DocumentVersion,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    User,
)
from konsey.policy import Action, DocumentAudience
from konsey.timefmt import local

# The record's steps, in order (the step bar of the meeting page).
STEPS = (
    ("agenda", _l("Agenda")),
    ("held", _l("Meeting held")),
    ("drafted", _l("Minutes drafted")),
    ("circulated", _l("Circulated")),
    ("agreed", _l("Agreed")),
    ("signed", _l("Signed")),
)


@dataclass
class Paper:
    """A document linked to an agenda item: one link per language, the newest
    version in each."""

    document: Document
    languages: list[tuple[str, DocumentVersion]]

    @property
    def uploader_state(self):
        user = self.document.created_by
        return user.member_state if user is not None else None


@dataclass
class ItemView:
    item: AgendaItem
    papers: list[Paper] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)


@dataclass
class Step:
    key: str
    label: str
    done: bool
    current: bool


@dataclass
class Workspace:
    items: list[ItemView]
    papers: list[Paper]
    minutes: Minutes | None
    minutes_visible: bool  # may the reader see the minutes (and their decisions)?
    steps: list[Step]
    next_step: str
    review: review.Review | None
    frozen_reason: str | None  # why the agenda can no longer change
    taken_place: bool


def _removed_in_version():
    # Added by the minutes area (decisions belong to minutes versions); until
    # then every recorded decision is current.
    return getattr(Decision, "removed_in_version", None)


def current_decisions(query):
    removed = _removed_in_version()
    return query if removed is None else query.where(removed.is_(None))


def papers(user, item_ids: list[int]) -> list[Paper]:
    """The documents linked to these agenda items that ``user`` may read (with
    files), by title; also the meeting's document list (meetings.document_list)."""
    if not item_ids:
        return []
    documents = db.session.scalars(
        select(Document)
        .where(
            Document.agenda_item_id.in_(item_ids),
            Document.purged_at.is_(None),
            DocumentAudience.of(user).condition(),
        )
        .options(
            selectinload(Document.versions),
            selectinload(Document.translations),
            joinedload(Document.group),
            joinedload(Document.created_by).joinedload(User.member_state),
        )
        .order_by(Document.title, Document.id)
    ).unique()
    return [
        Paper(document=d, languages=sorted(d.latest_by_language().items()))
        for d in documents
        if d.versions
    ]


def _decisions(minutes: Minutes | None) -> list[Decision]:
    if minutes is None:
        return []
    return list(
        db.session.scalars(
            current_decisions(select(Decision).where(Decision.minutes_id == minutes.id)).order_by(
                Decision.position, Decision.id
            )
        )
    )


def _actions(meeting: Meeting, item_ids: list[int]) -> list[ActionItem]:
    if not item_ids:
        return []
    from_decisions = select(Decision.id).where(Decision.agenda_item_id.in_(item_ids))
    return list(
        db.session.scalars(
            select(ActionItem)
            .where(
                ActionItem.group_id == meeting.group_id,
                or_(
                    ActionItem.agenda_item_id.in_(item_ids),
                    ActionItem.decision_id.in_(from_decisions),
                ),
            )
            .options(*action_options())
            .order_by(ActionItem.due_date, ActionItem.id)
        ).unique()
    )


def action_options():
    return (
        joinedload(ActionItem.owner_state),
        joinedload(ActionItem.assignee).joinedload(User.member_state),
        joinedload(ActionItem.decision),
    )


def _reached(meeting: Meeting, minutes: Minutes | None, visible: bool) -> set[str]:
    reached = {"agenda"}
    if display.has_taken_place(meeting):
        reached.add("held")
    if minutes is not None and minutes.versions and visible:
        reached.add("drafted")
        order = [MinutesStatus.CIRCULATED, MinutesStatus.AGREED, MinutesStatus.SIGNED]
        if minutes.status in order:
            reached.update(s.value for s in order[: order.index(minutes.status) + 1])
    return reached


def _steps(reached: set[str]) -> list[Step]:
    last = max(i for i, (key, _label) in enumerate(STEPS) if key in reached)
    return [
        Step(key=key, label=str(label), done=key in reached, current=i == last)
        for i, (key, label) in enumerate(STEPS)
    ]


def _day(moment, zone: str) -> str:
    return format_date(local(moment, zone).date(), "long")


def next_step(meeting: Meeting, minutes: Minutes | None, reached: set[str]) -> str:
    """What comes next and who must act, in one sentence."""
    if meeting.status == MeetingStatus.CANCELLED:
        return _("This meeting is cancelled: nothing more is to be done.")
    if "signed" in reached:
        return _("Done: the minutes are signed and the record is final.")
    if "agreed" in reached:
        return _("Next: the signatory signs the agreed minutes.")
    if "circulated" in reached:
        states = minutes_queries.standing(minutes, with_details=False).states
        have = sum(1 for s in states if s.position is not None)
        if minutes.comment_deadline is not None:
            return ngettext(
                "Next: the delegations give their positions by %(date)s — "
                "%(num)d of %(total)d has.",
                "Next: the delegations give their positions by %(date)s — "
                "%(num)d of %(total)d have.",
                have,
                date=_day(minutes.comment_deadline, meeting.timezone),
                total=len(states),
            )
        return ngettext(
            "Next: the delegations give their positions — %(num)d of %(total)d has.",
            "Next: the delegations give their positions — %(num)d of %(total)d have.",
            have,
            total=len(states),
        )
    if "drafted" in reached:
        return _("Next: the coordinators circulate the minutes to the delegations.")
    if "held" in reached:
        return _("Next: the coordinators draft the minutes.")
    if meeting.starts_at is None:
        return _("Next: the coordinators set the date and prepare the agenda and papers.")
    return _(
        "Next: the meeting is held on %(date)s; the coordinators prepare the agenda and papers.",
        date=_day(meeting.starts_at, meeting.timezone),
    )


def build(user, meeting: Meeting) -> Workspace:
    """Everything the meeting page shows beyond the meeting's own fields
    (``meeting`` comes with its agenda loaded)."""
    items = list(meeting.agenda)
    item_ids = [i.id for i in items]
    minutes = minutes_queries.minutes_of(meeting)
    visible = minutes is not None and policy.can(user, Action.MINUTES_VIEW, minutes)
    views = {i.id: ItemView(item=i) for i in items}
    meeting_papers = papers(user, item_ids)
    for paper in meeting_papers:
        views[paper.document.agenda_item_id].papers.append(paper)
    decisions = _decisions(minutes) if visible else []
    for decision in decisions:
        if decision.agenda_item_id in views:
            views[decision.agenda_item_id].decisions.append(decision)
    for action in _actions(meeting, item_ids):
        item_id = action.agenda_item_id
        if item_id not in views and action.decision is not None:
            item_id = action.decision.agenda_item_id
        if item_id in views:
            views[item_id].actions.append(action)
    reached = _reached(meeting, minutes, visible)
    has_review = any(i.is_review for i in items)
    return Workspace(
        items=[views[i.id] for i in items],
        papers=meeting_papers,
        minutes=minutes if visible else None,
        minutes_visible=visible,
        steps=_steps(reached),
        next_step=next_step(meeting, minutes, reached),
        review=review.live(user, meeting) if has_review else None,
        frozen_reason=agenda.frozen_reason(minutes.status if minutes else None),
        taken_place=display.has_taken_place(meeting),
    )
