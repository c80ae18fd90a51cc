"""Reading the list of participants: one query for the entries, grouped by
delegation in the council's order, and the rows of its exports.

Order: member states by their names in the council's working language
(``KONSEY_WORKING_LANGUAGE``, the same order for every reader, whatever
language the page is shown in), then the secretariat; observer states in a
section of their own, in the same order. Within a delegation the head comes
first, then the others by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from konsey.collation import sort_key
from konsey.extensions import db
from konsey.meetings.participants import accreditation_text
from konsey.models import Meeting, MeetingParticipant, MemberState


def entries(meeting: Meeting) -> list[MeetingParticipant]:
    """Everyone on the meeting's list (withdrawn registrations left out)."""
    rows = db.session.scalars(
        select(MeetingParticipant)
        .where(MeetingParticipant.meeting_id == meeting.id)
        .options(
            joinedload(MeetingParticipant.user),
            joinedload(MeetingParticipant.member_state),
            joinedload(MeetingParticipant.confirmed_by),
        )
        .order_by(MeetingParticipant.id)
    )
    return [e for e in rows if e.on_list]


def get_entry(meeting: Meeting, entry_id: int) -> MeetingParticipant | None:
    """The entry ``entry_id`` of this meeting (another meeting's is not found)."""
    entry = db.session.scalar(
        select(MeetingParticipant)
        .where(MeetingParticipant.id == entry_id, MeetingParticipant.meeting_id == meeting.id)
        .options(joinedload(MeetingParticipant.user), joinedload(MeetingParticipant.member_state))
    )
    return entry if entry is not None and entry.on_list else None


def working_language() -> str:
    return current_app.config.get("WORKING_LANGUAGE", "en")


def state_key(state: MemberState, language: str | None = None) -> tuple:
    language = language or working_language()
    return sort_key(state.display_name(language), language)


@dataclass
class DelegationList:
    state: MemberState | None  # None: the secretariat
    people: list[MeetingParticipant] = field(default_factory=list)


@dataclass
class ParticipantList:
    members: list[DelegationList]  # member states, then the secretariat (if anyone)
    observers: list[DelegationList]

    @property
    def count(self) -> int:
        return sum(len(d.people) for d in self.members + self.observers)

    def __iter__(self):
        yield from self.members
        yield from self.observers


def grouped(people: list[MeetingParticipant]) -> ParticipantList:
    language = working_language()
    by_state: dict[int | None, DelegationList] = {}
    for person in people:
        key = person.member_state_id
        if key not in by_state:
            by_state[key] = DelegationList(person.member_state)
        by_state[key].people.append(person)
    for delegation in by_state.values():
        delegation.people.sort(
            key=lambda p: (not p.is_head, sort_key(p.display_name, language), p.id)
        )
    states = [d for k, d in by_state.items() if k is not None]
    states.sort(key=lambda d: state_key(d.state, language))
    members = [d for d in states if d.state.is_member]
    observers = [d for d in states if not d.state.is_member]
    if None in by_state:
        members.append(by_state[None])
    return ParticipantList(members=members, observers=observers)


def delegation_label(state: MemberState | None, locale: str) -> str:
    return state.display_name(locale) if state else _("Secretariat")


def export_headers() -> list[str]:
    return [
        _("Delegation"),
        _("Code"),
        _("Observer state"),
        _("Name"),
        _("Title or function"),
        _("Organisation"),
        _("Email"),
        _("Konsey account"),
        _("Head of delegation"),
        _("Accreditation reference"),
        _("Accreditation date"),
        _("Confirmed"),
        _("Attended"),
    ]


def export_rows(listing: ParticipantList, locale: str, shows_email) -> list[list]:
    """One row per person, delegations in the list's order; ``shows_email(entry)``
    says whether the reader may see the entry's email. Attended is empty while
    not recorded."""
    rows = []
    for delegation in listing:
        for p in delegation.people:
            rows.append(
                [
                    delegation_label(delegation.state, locale),
                    delegation.state.code if delegation.state else "",
                    bool(delegation.state and not delegation.state.is_member),
                    p.display_name,
                    p.title,
                    p.organisation,
                    (p.email or (p.user.email if p.user else "")) if shows_email(p) else "",
                    p.has_account,
                    p.is_head,
                    p.accreditation_reference,
                    p.accreditation_date,
                    p.confirmed,
                    p.attended,
                ]
            )
    return rows


__all__ = ["accreditation_text", "entries", "get_entry", "grouped"]
