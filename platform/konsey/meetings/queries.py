"""Reads for meeting pages, feeds and the API, each a bounded number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from konsey.extensions import db
from konsey.models import AgendaItem, Meeting, MeetingParticipant, MeetingStatus, Membership
from konsey.models.base import utcnow


def _with_agenda():
    return selectinload(Meeting.agenda).options(
        joinedload(AgendaItem.lead_state), joinedload(AgendaItem.lead_user)
    )


def get_meeting(meeting_id: int, *, agenda: bool = False) -> Meeting | None:
    query = select(Meeting).where(Meeting.id == meeting_id).options(joinedload(Meeting.group))
    if agenda:
        query = query.options(_with_agenda())
    return db.session.scalar(query)


def meetings_of(group, *, agenda: bool = False) -> list[Meeting]:
    """All the group's meetings, the latest first (undated ones first of all)."""
    query = (
        select(Meeting)
        .where(Meeting.group_id == group.id)
        .order_by(Meeting.starts_at.desc().nulls_first(), Meeting.id.desc())
    )
    if agenda:
        query = query.options(_with_agenda())
    return list(db.session.scalars(query))


@dataclass
class MeetingList:
    upcoming: list[Meeting]  # soonest first; undated ones at the end
    past: list[Meeting]  # latest first


def split(meetings: list[Meeting]) -> MeetingList:
    now = utcnow()
    upcoming = [m for m in meetings if m.ends_at is None or m.ends_at >= now]
    past = [m for m in meetings if m.ends_at is not None and m.ends_at < now]
    upcoming.sort(key=lambda m: (m.starts_at is None, m.starts_at or now, m.id))
    return MeetingList(upcoming=upcoming, past=past)


def registered_ids(user, meetings: list[Meeting]) -> set[int]:
    """The meetings (of ``meetings``) that ``user`` registered for, in one query."""
    if not getattr(user, "is_authenticated", False) or not meetings:
        return set()
    return set(
        db.session.scalars(
            select(MeetingParticipant.meeting_id).where(
                MeetingParticipant.user_id == user.id,
                MeetingParticipant.registered.is_(True),
                MeetingParticipant.meeting_id.in_([m.id for m in meetings]),
            )
        )
    )


def next_meeting(group) -> Meeting | None:
    """The group's next planned meeting with a date, with its agenda."""
    return db.session.scalar(
        select(Meeting)
        .where(
            Meeting.group_id == group.id,
            Meeting.status == MeetingStatus.PLANNED,
            Meeting.ends_at >= utcnow(),
        )
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(1)
        .options(_with_agenda())
    )


def feed_meetings(user) -> list[Meeting]:
    """Every dated meeting of every group the user belongs to."""
    groups = select(Membership.group_id).where(Membership.user_id == user.id)
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.group_id.in_(groups), Meeting.starts_at.is_not(None))
            .order_by(Meeting.starts_at, Meeting.id)
            .options(joinedload(Meeting.group), _with_agenda())
        )
    )
