"""Who will come (delegates register themselves) and who came (coordinators
record it), for the people with accounts: entries of the meeting's list of
participants (konsey.meetings.participants keeps the whole list)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from konsey import audit
from konsey.errors import Conflict, ValidationError
from konsey.extensions import db
from konsey.meetings.participants import check_begun
from konsey.models import Meeting, MeetingParticipant, MeetingStatus, Membership, Role, User
from konsey.models.base import utcnow


def attendable(group) -> list[Membership]:
    """The group's delegations (everyone but the secretariat coordinators),
    by member state then name: the rows of the attendance form."""
    rows = db.session.scalars(
        select(Membership)
        .join(Membership.user)
        .where(Membership.group_id == group.id, Membership.role != Role.COORDINATOR)
        .options(joinedload(Membership.user), joinedload(Membership.member_state))
        .order_by(User.name)
    ).all()
    return sorted(
        rows,
        key=lambda m: (m.member_state is None, m.member_state.name if m.member_state else ""),
    )


def attendance_of(meeting: Meeting) -> list[MeetingParticipant]:
    """The entries of people with accounts (``.user``, ``.member_state``,
    ``.registered``, ``.attended``); the whole list, people without an account
    included, is konsey.meetings.participant_list.entries."""
    return list(
        db.session.scalars(
            select(MeetingParticipant)
            .where(
                MeetingParticipant.meeting_id == meeting.id,
                MeetingParticipant.user_id.is_not(None),
            )
            .options(
                joinedload(MeetingParticipant.user), joinedload(MeetingParticipant.member_state)
            )
        )
    )


def _row(meeting: Meeting, user: User) -> MeetingParticipant | None:
    return db.session.scalar(
        select(MeetingParticipant).where(
            MeetingParticipant.meeting_id == meeting.id, MeetingParticipant.user_id == user.id
        )
    )


def record_attendance(actor: audit.Actor, meeting: Meeting, attended_ids) -> None:
    """Set who attended: exactly the group members whose ids are given."""
    check_begun(meeting)
    members = {m.user_id: m for m in attendable(meeting.group)}
    wanted = set(attended_ids)
    if wanted - set(members):
        raise ValidationError(_("Choose people of this group's delegations."), "attended")
    rows = {a.user_id: a for a in attendance_of(meeting)}
    now = utcnow()
    for user_id, membership in members.items():
        row = rows.get(user_id)
        came = user_id in wanted
        if row is None and came:  # came without registering
            row = MeetingParticipant(
                meeting_id=meeting.id,
                user_id=user_id,
                member_state_id=membership.member_state_id,
                registered=False,
                registered_at=None,
            )
            db.session.add(row)
        if row is not None and row.attended is not came and (came or row.on_list):
            row.attended = came
            row.attendance_recorded_by_id = actor.user_id
            row.attendance_recorded_at = row.updated_at = now
    audit.record(
        actor,
        "meeting.attendance",
        meeting,
        attended=sorted(members[i].user.email for i in wanted),
    )
    db.session.commit()


def _check_open(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.PLANNED:
        raise Conflict(_("Registration is only open for planned meetings."))
    if meeting.starts_at is not None and meeting.starts_at <= utcnow():
        raise Conflict(_("This meeting has already begun; registration is closed."))


def register(actor: audit.Actor, meeting: Meeting, user: User) -> None:
    """``user`` says they will attend ``meeting``."""
    _check_open(meeting)
    row = _row(meeting, user)
    if row is not None and row.registered:
        raise Conflict(_("You are already registered for this meeting."))
    if row is None:
        row = MeetingParticipant(meeting_id=meeting.id, user_id=user.id)
        db.session.add(row)
    row.registered = True
    row.member_state_id = user.member_state_id
    row.registered_by_id = actor.user_id
    row.registered_at = row.updated_at = utcnow()
    row.confirmed_by_id = row.confirmed_at = None
    audit.record(actor, "meeting.register", meeting, user=user.email)
    try:
        db.session.commit()
    except IntegrityError as exc:  # the same person's second click, at the same moment
        db.session.rollback()
        raise Conflict(_("You are already registered for this meeting.")) from exc


def withdraw(actor: audit.Actor, meeting: Meeting, user: User) -> None:
    _check_open(meeting)
    row = _row(meeting, user)
    if row is None or not row.registered:
        raise Conflict(_("You are not registered for this meeting."))
    row.registered = False
    row.confirmed_by_id = row.confirmed_at = None
    row.updated_at = utcnow()
    audit.record(actor, "meeting.withdraw", meeting, user=user.email)
    db.session.commit()


def is_registered(meeting: Meeting, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    row = _row(meeting, user)
    return bool(row and row.registered)
