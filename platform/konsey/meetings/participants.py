"""The list of participants of a meeting: register, edit, remove, confirm,
record who attended. The caller has asked ``policy`` who may; this module
checks the values and the meeting's state, audits and commits.

Values (a dict, from the web form or elsewhere): ``member_state_id`` (None:
the secretariat), ``user_id`` (an account; None: a named participant),
``name``, ``title``, ``organisation``, ``email``, ``is_head``,
``accreditation_reference``, ``accreditation_date``.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from konsey import audit, validation
from konsey.errors import Conflict, ValidationError
from konsey.extensions import db
from konsey.models import (
    Meeting,
    MeetingParticipant,
    MeetingStatus,
    Membership,
    MemberState,
    User,
)
from konsey.models.base import utcnow
from konsey.models.participants import (
    EMAIL_MAX,
    NAME_MAX,
    ORGANISATION_MAX,
    REFERENCE_MAX,
    TITLE_MAX,
)


def _checked(meeting: Meeting, values: dict) -> dict:
    """The values, checked; ValidationError (422) names the first bad field."""
    state_id = values.get("member_state_id")
    if state_id is not None and db.session.get(MemberState, state_id) is None:
        raise ValidationError(_("Choose a member state of the list."), "member_state_id")
    user = None
    if values.get("user_id") is not None:
        user = db.session.get(User, values["user_id"])
        membership = user and db.session.scalar(
            select(Membership).where(
                Membership.group_id == meeting.group_id, Membership.user_id == user.id
            )
        )
        if membership is None:
            raise ValidationError(_("Choose a member of this group."), "user_id")
        if user.member_state_id != state_id:
            raise ValidationError(
                _("%(name)s is not in this delegation.", name=user.name), "user_id"
            )
    name = validation.check_line(
        values.get("name") or "", "name", required=user is None, max_length=NAME_MAX
    )
    email = validation.check_line(
        values.get("email") or "", "email", required=False, max_length=EMAIL_MAX
    )
    if email:
        email = validation.normalize_email(email, "email")
    accredited_on = values.get("accreditation_date")
    if accredited_on not in (None, ""):
        accredited_on = validation.check_date(accredited_on, "accreditation_date")
    else:
        accredited_on = None
    return {
        "member_state_id": state_id,
        "user_id": user.id if user else None,
        # An account's name is its own; the typed one is for people without one.
        "name": "" if user else name,
        "title": validation.check_line(
            values.get("title") or "", "title", required=False, max_length=TITLE_MAX
        ),
        "organisation": validation.check_line(
            values.get("organisation") or "",
            "organisation",
            required=False,
            max_length=ORGANISATION_MAX,
        ),
        "email": email,
        "is_head": bool(values.get("is_head")),
        "accreditation_reference": validation.check_line(
            values.get("accreditation_reference") or "",
            "accreditation_reference",
            required=False,
            max_length=REFERENCE_MAX,
        ),
        "accreditation_date": accredited_on,
    }


def _check_open(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(_("This meeting was cancelled; its list of participants is closed."))


def _one_head(meeting: Meeting, entry: MeetingParticipant) -> None:
    """A delegation has one head: marking a new one unmarks the former."""
    if not entry.is_head:
        return
    others = db.session.scalars(
        select(MeetingParticipant).where(
            MeetingParticipant.meeting_id == meeting.id,
            MeetingParticipant.id != entry.id,
            MeetingParticipant.is_head.is_(True),
            MeetingParticipant.member_state_id.is_(None)
            if entry.member_state_id is None
            else MeetingParticipant.member_state_id == entry.member_state_id,
        )
    )
    for other in others:
        other.is_head = False


def _commit() -> None:
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(_("This person is already on the list of participants.")) from exc


def _details(entry: MeetingParticipant) -> dict:
    return {
        "participant": entry.id,
        "name": entry.display_name,
        "state": entry.member_state.code if entry.member_state else None,
    }


def add(actor: audit.Actor, meeting: Meeting, values: dict) -> MeetingParticipant:
    """Put someone on the meeting's list (registered by ``actor``)."""
    _check_open(meeting)
    checked = _checked(meeting, values)
    entry = None
    if checked["user_id"] is not None:
        entry = db.session.scalar(
            select(MeetingParticipant).where(
                MeetingParticipant.meeting_id == meeting.id,
                MeetingParticipant.user_id == checked["user_id"],
            )
        )
        if entry is not None and entry.on_list:
            raise Conflict(_("This person is already on the list of participants."), "user_id")
    now = utcnow()
    if entry is None:  # a withdrawn registration is taken up again
        entry = MeetingParticipant(meeting_id=meeting.id)
        db.session.add(entry)
    for name, value in checked.items():
        setattr(entry, name, value)
    entry.registered = True
    entry.registered_by_id = actor.user_id
    entry.registered_at = now
    entry.confirmed_by_id = entry.confirmed_at = None
    entry.updated_at = now
    db.session.flush()
    _one_head(meeting, entry)
    audit.record(actor, "participant.add", meeting, **_details(entry))
    _commit()
    return entry


def update(
    actor: audit.Actor, entry: MeetingParticipant, values: dict, *, keeps_confirmation: bool
) -> bool:
    """Change an entry; a change by someone who may not confirm (a head of
    delegation) needs the secretariat's confirmation again."""
    meeting = entry.meeting
    _check_open(meeting)
    checked = _checked(meeting, values)
    changed = {k: v for k, v in checked.items() if getattr(entry, k) != v}
    if not changed:
        return False
    for name, value in changed.items():
        setattr(entry, name, value)
    if not keeps_confirmation:
        entry.confirmed_by_id = entry.confirmed_at = None
    entry.updated_at = utcnow()
    db.session.flush()
    _one_head(meeting, entry)
    audit.record(actor, "participant.update", meeting, **_details(entry), fields=sorted(changed))
    _commit()
    return True


def remove(actor: audit.Actor, entry: MeetingParticipant) -> None:
    meeting = entry.meeting
    _check_open(meeting)
    details = _details(entry)
    db.session.delete(entry)
    audit.record(actor, "participant.remove", meeting, **details)
    db.session.commit()


def confirm(actor: audit.Actor, entry: MeetingParticipant) -> None:
    meeting = entry.meeting
    _check_open(meeting)
    if not entry.on_list:
        raise Conflict(_("This registration was withdrawn; there is nothing to confirm."))
    if entry.confirmed:
        raise Conflict(_("This participant is already confirmed."))
    entry.confirmed_by_id = actor.user_id
    entry.confirmed_at = entry.updated_at = utcnow()
    audit.record(actor, "participant.confirm", meeting, **_details(entry))
    db.session.commit()


def check_begun(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(_("This meeting was cancelled; nobody attended it."), "attended")
    if meeting.starts_at is None or meeting.starts_at > utcnow():
        raise Conflict(_("Attendance can be recorded once the meeting has begun."), "attended")


def record_attendance(actor: audit.Actor, meeting: Meeting, present_ids) -> None:
    """Exactly the entries whose ids are given attended; every other entry on
    the list did not."""
    check_begun(meeting)
    entries = {
        e.id: e
        for e in db.session.scalars(
            select(MeetingParticipant).where(MeetingParticipant.meeting_id == meeting.id)
        )
    }
    wanted = set(present_ids)
    if wanted - set(entries):
        raise ValidationError(_("Choose people on this meeting's list."), "attended")
    now = utcnow()
    for entry_id, entry in entries.items():
        came = entry_id in wanted
        if not entry.on_list and not came:
            continue
        if entry.attended is not came:
            entry.attended = came
            entry.attendance_recorded_by_id = actor.user_id
            entry.attendance_recorded_at = entry.updated_at = now
    audit.record(
        actor,
        "meeting.attendance",
        meeting,
        attended=sorted(entries[i].display_name for i in wanted),
    )
    db.session.commit()


def accreditation_text(entry: MeetingParticipant) -> str:
    """ "No. 12/345 of 2026-11-20" — what a list of participants prints."""
    parts = [entry.accreditation_reference] if entry.accreditation_reference else []
    if isinstance(entry.accreditation_date, date):
        parts.append(entry.accreditation_date.isoformat())
    return ", ".join(parts)
