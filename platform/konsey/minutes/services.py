"""Rules of the minutes: versions, circulation, positions, silence, signature.

Routes and the API ask ``konsey.policy`` who may act; these functions keep
the record's own rules (what its status allows, which version is current)
and raise a ServiceError with a clear message before changing anything.
Every change is audited in the transaction that makes it. Time-dependent
rules take ``now`` so tests can move the clock instead of sleeping.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from konsey import audit
from konsey.errors import Conflict, ValidationError
from konsey.extensions import db
from konsey.minutes import participants, queries, record
from konsey.minutes.agreement import (  # noqa: F401 - one place to call the services from
    parse_position,
    record_position,
    settle,
    settle_all,
)
from konsey.minutes.rules import (  # noqa: F401 - re-exported for forms and routes
    MAX_COMMENT,
    MAX_DECISION,
    MAX_NOTE,
    MAX_RESERVATION,
    MAX_TEXT,
    lock,
    normalise,
    require_status,
    sha256_of,
    status_message,
)
from konsey.models import (
    AgendaItem,
    Decision,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesComment,
    MinutesStatus,
    MinutesVersion,
    User,
)
from konsey.validation import check_instant, check_line, check_text


def _check_deadline(deadline: datetime | None, now: datetime, field: str) -> datetime:
    if deadline is None:
        raise ValidationError(_("Give the comment deadline (date and time)."), field)
    if deadline.tzinfo is None:
        raise ValidationError(_("The deadline must name its time zone or offset."), field)
    deadline = check_instant(deadline, field)
    if deadline <= now:
        raise ValidationError(_("The comment deadline must be in the future."), field)
    return deadline


# Drafting ----------------------------------------------------------------------------
def create_minutes(actor: audit.Actor, meeting: Meeting) -> Minutes:
    """Open the (single) minutes record of a meeting; not committed."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled; it has no minutes."), "text")
    existing = db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))
    if existing is not None:
        raise Conflict(_("This meeting already has minutes."))
    minutes = Minutes(meeting=meeting, status=MinutesStatus.DRAFT, silence_procedure=False)
    db.session.add(minutes)
    audit.record(actor, "minutes.create", minutes, meeting=meeting.id)
    return minutes


def add_version(
    actor: audit.Actor,
    meeting: Meeting,
    minutes: Minutes | None,
    text: str,
    *,
    now: datetime,
    note: str = "",
    deadline: datetime | None = None,
) -> MinutesVersion:
    """Write version n+1 (creating the record for the first one).

    While circulated, a new version resets the agreements: positions belong to
    a version, so every state is pending again on the new one. Its comment
    deadline must then lie in the future (a new one may be given).
    """
    text = normalise(text)
    if not text:
        raise ValidationError(_("The minutes need a text."), "text")
    check_text(text, "text", max_length=MAX_TEXT)
    note = check_line(note, "note", required=False, max_length=MAX_NOTE)
    try:
        if minutes is None:
            minutes = create_minutes(actor, meeting)
        else:
            lock(minutes)
        require_status(minutes, MinutesStatus.DRAFT, MinutesStatus.CIRCULATED)
        previous = minutes.current
        if previous is not None and previous.text == text:
            raise ValidationError(
                _("The text is the same as version %(n)d.", n=previous.number), "text"
            )
        reset = 0
        if minutes.status == MinutesStatus.DRAFT and deadline is not None:
            raise ValidationError(
                # Not tied to a field: a draft's page has no deadline fields.
                _("Draft minutes have no comment deadline: give it when circulating them.")
            )
        if minutes.status == MinutesStatus.CIRCULATED:
            if deadline is not None:
                minutes.comment_deadline = _check_deadline(deadline, now, "new_deadline_date")
            elif minutes.comment_deadline is None or minutes.comment_deadline <= now:
                raise ValidationError(
                    _("The comment deadline has passed: give a new one for the new version."),
                    "new_deadline_date",
                )
            reset = len(queries.positions_on(previous))
        version = MinutesVersion(
            minutes=minutes,
            number=(previous.number if previous else 0) + 1,
            text=text,
            sha256=sha256_of(text),
            note=note,
            created_by_id=actor.user_id,
            created_at=now,
        )
        db.session.add(version)
        counted = None
        if minutes.status == MinutesStatus.CIRCULATED:
            # The new version needs the agreement of everyone the last one did.
            counted = participants.fix_for_version(minutes, version, now=now)
        audit.record(
            actor,
            "minutes.version_add",
            minutes,
            number=version.number,
            sha256=version.sha256,
            positions_reset=reset,
            deadline=minutes.comment_deadline.isoformat() if reset or deadline else None,
            participants=counted,
        )
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(
            _("Someone saved the minutes at the same moment; reload the page and try again.")
        ) from exc
    return version


def circulate(
    actor: audit.Actor,
    minutes: Minutes,
    *,
    deadline: datetime | None,
    silence_procedure: bool,
    now: datetime,
) -> None:
    """Send the current version to the delegations for comments and positions
    (again, with a new deadline, when already circulated)."""
    lock(minutes)
    require_status(minutes, MinutesStatus.DRAFT, MinutesStatus.CIRCULATED)
    current = minutes.current
    if current is None or not current.text.strip():
        raise ValidationError(
            _("The minutes have no text yet: write a version before circulating them.")
        )
    deadline = _check_deadline(deadline, now, "deadline_date")
    was = minutes.status
    minutes.status = MinutesStatus.CIRCULATED
    minutes.comment_deadline = deadline
    minutes.silence_procedure = bool(silence_procedure)
    minutes.circulated_at = now
    counted = participants.fix_for_version(minutes, current, now=now)
    audit.record(
        actor,
        "minutes.circulate",
        minutes,
        version=current.number,
        deadline=deadline.isoformat(),
        silence_procedure=minutes.silence_procedure,
        recirculated=was == MinutesStatus.CIRCULATED,
        participants=counted,
    )
    db.session.commit()


def add_decision(
    actor: audit.Actor, minutes: Minutes, text: str, agenda_item_id: int | None
) -> Decision:
    """Mark a decision of the meeting in its minutes.

    Hook for action items (a later issue): an ActionItem will point back to
    its Decision ("create action from decision"), so decisions are never
    rewritten once the minutes are agreed.
    """
    text = check_text(normalise(text), "decision", max_length=MAX_DECISION)
    lock(minutes)
    require_status(minutes, MinutesStatus.DRAFT, MinutesStatus.CIRCULATED)
    item = None
    if agenda_item_id:
        # Ids fit a database integer; a larger number is simply not an item.
        in_range = 0 < agenda_item_id < 2**31
        item = db.session.get(AgendaItem, agenda_item_id) if in_range else None
        if item is None or item.meeting_id != minutes.meeting_id:
            raise ValidationError(
                _("Choose an agenda item of this meeting, or none."), "agenda_item"
            )
    last = db.session.scalar(
        select(func.max(Decision.position)).where(Decision.minutes_id == minutes.id)
    )
    decision = Decision(minutes=minutes, agenda_item=item, position=(last or 0) + 1, text=text)
    db.session.add(decision)
    audit.record(
        actor,
        "minutes.decision_add",
        minutes,
        position=decision.position,
        agenda_item=item.id if item else None,
        text=text[:300],
    )
    db.session.commit()
    return decision


# Delegations ---------------------------------------------------------------------------
def add_comment(
    actor: audit.Actor, minutes: Minutes, user: User, text: str, *, now: datetime
) -> MinutesComment:
    """A delegation's comment on the circulated (current) version."""
    text = check_text(normalise(text), "comment", max_length=MAX_COMMENT)
    lock(minutes)
    require_status(minutes, MinutesStatus.CIRCULATED)
    if minutes.comment_deadline is not None and minutes.comment_deadline <= now:
        raise Conflict(_("The comment deadline has passed."), "comment")
    comment = MinutesComment(version=minutes.current, user=user, text=text, created_at=now)
    db.session.add(comment)
    db.session.flush()  # the comment's id: what the coordinators' notice quotes
    audit.record(
        actor, "minutes.comment", minutes, version=minutes.current.number, comment=comment.id
    )
    db.session.commit()
    return comment


# Signature -----------------------------------------------------------------------------
def sign(
    actor: audit.Actor, minutes: Minutes, user: User, *, now: datetime, version_number=None
) -> None:
    """Sign the agreed version: it is frozen, its SHA-256 stored, and a
    snapshot of everything the signed record shows is stored with its own
    SHA-256 (``konsey.minutes.record``)."""
    lock(minutes)
    require_status(minutes, MinutesStatus.AGREED)
    current = minutes.current
    if version_number is not None and version_number != current.number:
        raise Conflict(_("Version %(n)s is not the agreed version.", n=version_number), "version")
    if sha256_of(current.text) != current.sha256:
        # The stored text no longer matches the hash written with it.
        raise Conflict(_("The text of the agreed version does not match its SHA-256."))
    minutes.status = MinutesStatus.SIGNED
    minutes.signed_sha256 = current.sha256
    minutes.signed_by_id = user.id
    minutes.signed_at = now
    minutes.signed_record, minutes.signed_record_sha256 = record.freeze(minutes, user, now)
    audit.record(
        actor,
        "minutes.sign",
        minutes,
        version=current.number,
        sha256=current.sha256,
        record_sha256=minutes.signed_record_sha256,
    )
    db.session.commit()
