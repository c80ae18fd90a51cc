"""Helpers shared by the list-of-participants tests."""

from __future__ import annotations

from sqlalchemy import select

from konsey.extensions import db
from konsey.models import MeetingParticipant


def entry_form(state, **values) -> dict:
    """The add/edit form's fields: a named participant of ``state`` (None: the secretariat)."""
    form = {
        "member_state": str(state.id) if state is not None else "secretariat",
        "user": "",
        "name": "Yerlan Sadykov",
        "title": "Vice Minister",
        "organisation": "Ministry of Information and Communications",
        "email": "",
        "accreditation_reference": "",
        "accreditation_date": "",
    }
    form.update(values)
    return {k: v for k, v in form.items() if v is not None}


def named(meeting, name: str, state, **values) -> MeetingParticipant:
    entry = MeetingParticipant(
        meeting_id=meeting.id,
        member_state_id=state.id if state is not None else None,
        name=name,
        **values,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def account(meeting, user, **values) -> MeetingParticipant:
    entry = MeetingParticipant(
        meeting_id=meeting.id, user_id=user.id, member_state_id=user.member_state_id, **values
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def rows(meeting) -> list[MeetingParticipant]:
    db.session.rollback()
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(MeetingParticipant)
            .where(MeetingParticipant.meeting_id == meeting.id)
            .order_by(MeetingParticipant.id)
        )
    )


def snapshot(meeting) -> list[tuple]:
    """Every column of every entry: to show that a refused request changed nothing."""
    return [
        tuple(getattr(e, c.name) for c in MeetingParticipant.__table__.columns)
        for e in rows(meeting)
    ]
