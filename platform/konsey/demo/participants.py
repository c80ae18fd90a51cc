"""Demo lists of participants: Kazakhstan's delegation at the Ministers'
meetings, with a participant who has no Konsey account (a vice minister),
an accreditation by note verbale, and attendance recorded at the 2nd Meeting.
Idempotent: an entry is looked up by its meeting and person first."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from sqlalchemy import select

from konsey.extensions import db
from konsey.models import Meeting, MeetingParticipant, MemberState, User

MINISTER = {
    "name": "Yerlan Sadykov",
    "title": "Vice Minister of Information and Communications",
    "organisation": "Ministry of Information and Communications of the Republic of Kazakhstan",
}
CYBER = "Meeting of the Sub-Working Group on Cyber Security"
# The secretariat's confirmation and the attendance of the held meeting.
CONFIRMED = datetime(2017, 11, 6, 9, tzinfo=UTC)
RECORDED = datetime(2017, 11, 9, 12, tzinfo=UTC)


def _users() -> dict[str, User]:
    emails = [
        "head.kz@kz.example.org",
        "head.az@az.example.org",
        "head.kg@kg.example.org",
        "head.tr@tr.example.org",
        "coordinator@secretariat.example.org",
        "delegate.kz@kz.example.org",
    ]
    return {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}


def _entry(created: Counter, meeting: Meeting, *, user=None, state=None, **values) -> None:
    where = (
        MeetingParticipant.user_id == user.id
        if user is not None
        else MeetingParticipant.name == values["name"]
    )
    found = db.session.scalar(
        select(MeetingParticipant).where(MeetingParticipant.meeting_id == meeting.id, where)
    )
    if found is not None:
        return
    db.session.add(
        MeetingParticipant(
            meeting_id=meeting.id,
            user_id=user.id if user else None,
            member_state_id=(user.member_state_id if user else state.id),
            registered=True,
            **values,
        )
    )
    created["participants"] += 1


def load_participants(created: Counter) -> None:
    meetings = {
        m.title: m
        for m in db.session.scalars(
            select(Meeting).where(
                Meeting.title.in_(
                    [
                        "2nd Meeting of the Ministers in charge of ICT",
                        "3rd Meeting of the Ministers in charge of ICT",
                        "2nd Meeting of the Sub-Working Group on E-Government",
                        CYBER,
                    ]
                )
            )
        )
    }
    users = _users()
    kz = db.session.scalar(select(MemberState).where(MemberState.code == "KZ"))
    head_kz = users.get("head.kz@kz.example.org")
    coordinator = users.get("coordinator@secretariat.example.org")
    if kz is None or head_kz is None or coordinator is None or len(meetings) < 4:
        return
    held = meetings["2nd Meeting of the Ministers in charge of ICT"]
    registered_at = datetime(2017, 11, 1, 8, tzinfo=UTC)
    confirmed = {"confirmed_by_id": coordinator.id, "confirmed_at": CONFIRMED}
    recorded = {"attendance_recorded_by_id": coordinator.id, "attendance_recorded_at": RECORDED}
    _entry(
        created,
        held,
        state=kz,
        **MINISTER,
        is_head=True,
        accreditation_reference="No. 14-1/2017-1139",
        accreditation_date=date(2017, 11, 1),
        registered_by_id=head_kz.id,
        registered_at=registered_at,
        attended=True,
        **confirmed,
        **recorded,
    )
    _entry(
        created,
        held,
        user=head_kz,
        title="Head of delegation to the sub-working groups",
        registered_by_id=head_kz.id,
        registered_at=registered_at,
        attended=True,
        **confirmed,
        **recorded,
    )
    for email, came in [
        ("head.az@az.example.org", True),
        ("head.kg@kg.example.org", True),
        ("head.tr@tr.example.org", True),
        ("coordinator@secretariat.example.org", True),
    ]:
        if email in users:
            _entry(
                created,
                held,
                user=users[email],
                is_head=email != "coordinator@secretariat.example.org",
                registered_by_id=users[email].id,
                registered_at=registered_at,
                attended=came,
                **confirmed,
                **recorded,
            )
    # The 3rd Meeting: Kazakhstan, the host, announces its delegation.
    third = meetings["3rd Meeting of the Ministers in charge of ICT"]
    _entry(
        created,
        third,
        state=kz,
        **MINISTER,
        is_head=True,
        registered_by_id=head_kz.id,
        registered_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
    )
    _entry(
        created,
        third,
        user=head_kz,
        registered_by_id=head_kz.id,
        registered_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
    )
    # The sub-working group on cyber security (Istanbul, 8 November 2017).
    cyber = meetings.get(CYBER)
    if cyber is not None:
        _entry(
            created,
            cyber,
            user=head_kz,
            is_head=True,
            registered_by_id=head_kz.id,
            registered_at=registered_at,
            attended=True,
            **confirmed,
            **recorded,
        )
        _entry(
            created,
            cyber,
            state=kz,
            name="Aidos Nurpeisov",
            title="Expert",
            organisation="State Technical Service of the Republic of Kazakhstan",
            registered_by_id=head_kz.id,
            registered_at=registered_at,
            attended=True,
            **recorded,
        )
    delegate = users.get("delegate.kz@kz.example.org")
    if delegate is not None:
        _entry(
            created,
            meetings["2nd Meeting of the Sub-Working Group on E-Government"],
            user=delegate,
            registered_by_id=delegate.id,
            registered_at=datetime(2026, 11, 25, 9, tzinfo=UTC),
        )
    db.session.flush()
