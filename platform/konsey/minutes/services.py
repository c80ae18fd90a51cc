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
from konsey.minutes import decisions as version_decisions
from konsey.minutes import participants, queries, record
from konsey.minutes.agreement import (  # noqa: F401 - one place to call the services from
    parse_position,
    record_position,
    settle,
    settle_all,
)
from konsey.minutes.decisions import DecisionRow
from konsey.minutes.rules import (  # noqa: F401 - re-exported for forms and routes
    MAX_COMMENT,
    MAX_DECISION,
    MAX_DECISIONS,
    MAX_NOTE,
    MAX_RESERVATION,
    MAX_TEXT,
    content_sha256,
    lock,
    normalise,
    require_meeting_begun,
    require_status,
    sha256_of,
    status_message,
)
from konsey.models import (
    ActionItem,
    Decision,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesComment,
    MinutesStatus,
    MinutesVersion,
    User,
    VersionDecision,
)
from konsey.models.base import utcnow
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


check_deadline = _check_deadline


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
    decisions: list[DecisionRow] | None = None,
    base_version: int | None = None,
) -> MinutesVersion:
    """Write version n+1 (creating the record for the first one), with its
    decisions: ``decisions`` is the whole list the new version records
    (existing decisions of the current version by id, new ones without);
    None carries the current version's decisions unchanged.

    ``base_version``: the version the writer started from; when another
    version was written since, the new one is refused (409), not stacked.

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
            if base_version:
                raise Conflict(_("These minutes have no version %(n)d.", n=base_version))
            minutes = create_minutes(actor, meeting)
        else:
            lock(minutes)
        require_status(minutes, MinutesStatus.DRAFT, MinutesStatus.CIRCULATED)
        previous = minutes.current
        if base_version is not None and previous is not None and base_version != previous.number:
            raise Conflict(
                _(
                    "Version %(n)d was written meanwhile; reload the page and start from it.",
                    n=previous.number,
                )
            )
        if decisions is None:
            rows = version_decisions.rows_of(previous)
        elif previous is None:
            if any(r.decision_id for r in decisions):
                raise ValidationError(
                    _("Not a decision of the current version of these minutes."), "decisions"
                )
            rows = version_decisions.check_rows(meeting.id, None, decisions)
        else:
            rows = version_decisions.check_rows(meeting.id, previous, decisions)
        if (
            previous is not None
            and previous.text == text
            and version_decisions.same(previous, rows)
        ):
            raise ValidationError(
                _(
                    "The text and the decisions are the same as version %(n)d.",
                    n=previous.number,
                ),
                "text",
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
        version_decisions.write(minutes, version, rows, now=now)
        db.session.flush()
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
            decisions=len(rows),
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
    require_meeting_begun(minutes, now, signing=False)
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


def _draft_version(minutes: Minutes) -> MinutesVersion:
    """The current version, when its decisions may still be changed directly:
    only while the minutes are a draft (once circulated, a version's decisions
    are fixed like its text and change only with a new version)."""
    lock(minutes)
    if minutes.status == MinutesStatus.CIRCULATED:
        raise Conflict(
            _(
                "These minutes are circulated: the decisions of a circulated version are "
                "fixed; change them with a new version."
            )
        )
    require_status(minutes, MinutesStatus.DRAFT)
    current = minutes.current
    if current is None:
        raise ValidationError(_("Write a version of the minutes first."), "decision")
    return current


def _current_decision(current: MinutesVersion, decision_id: int):
    entry = next((d for d in current.decisions if d.decision_id == decision_id), None)
    if entry is None:
        raise ValidationError(_("Not a decision of the current version of these minutes."))
    return entry


def add_decision(
    actor: audit.Actor, minutes: Minutes, text: str, agenda_item_id: int | None, *, now=None
) -> Decision:
    """Record a decision in the current version of draft minutes."""
    current = _draft_version(minutes)
    rows = version_decisions.rows_of(current)
    new = DecisionRow(None, text, agenda_item_id or None, "decision")
    checked = version_decisions.check_rows(minutes.meeting_id, current, [*rows, new])
    written = version_decisions.write(minutes, current, checked, now=now or utcnow())
    decision = written[-1]
    db.session.flush()
    audit.record(
        actor,
        "minutes.decision_add",
        minutes,
        version=current.number,
        decision=decision.id,
        position=decision.position,
        agenda_item=decision.agenda_item_id,
        text=decision.text[:300],
    )
    db.session.commit()
    return decision


def edit_decision(
    actor: audit.Actor,
    minutes: Minutes,
    decision_id: int,
    text: str,
    agenda_item_id: int | None,
    *,
    now=None,
) -> Decision:
    """Reword a decision of the current version of draft minutes."""
    current = _draft_version(minutes)
    _current_decision(current, decision_id)
    rows = [
        DecisionRow(r.decision_id, text, agenda_item_id or None, "decision")
        if r.decision_id == decision_id
        else r
        for r in version_decisions.rows_of(current)
    ]
    before = next(r for r in version_decisions.rows_of(current) if r.decision_id == decision_id)
    checked = version_decisions.check_rows(minutes.meeting_id, current, rows)
    after = next(r for r in checked if r.decision_id == decision_id)
    if (before.text, before.agenda_item_id) == (after.text, after.agenda_item_id):
        raise ValidationError(_("Nothing changed in this decision."), "decision")
    written = version_decisions.write(minutes, current, checked, now=now or utcnow())
    decision = next(d for d in written if d.id == decision_id)
    audit.record(
        actor,
        "minutes.decision_edit",
        minutes,
        version=current.number,
        decision=decision_id,
        agenda_item=after.agenda_item_id,
        text=after.text[:300],
        was=before.text[:300],
    )
    db.session.commit()
    return decision


def remove_decision(actor: audit.Actor, minutes: Minutes, decision_id: int, *, now=None) -> None:
    """Take a decision out of the current version of draft minutes. A decision
    no other version records and no action points at is deleted; otherwise it
    stays, marked removed in this version (its actions keep pointing at it)."""
    current = _draft_version(minutes)
    entry = _current_decision(current, decision_id)
    rows = [r for r in version_decisions.rows_of(current) if r.decision_id != decision_id]
    version_decisions.write(minutes, current, rows, now=now or utcnow())
    db.session.flush()
    decision = entry.decision
    elsewhere = db.session.scalar(
        select(func.count())
        .select_from(VersionDecision)
        .where(VersionDecision.decision_id == decision_id)
    )
    actions = db.session.scalar(
        select(func.count()).select_from(ActionItem).where(ActionItem.decision_id == decision_id)
    )
    deleted = not elsewhere and not actions
    if deleted:
        db.session.delete(decision)
    audit.record(
        actor,
        "minutes.decision_remove",
        minutes,
        version=current.number,
        decision=decision_id,
        text=decision.text[:300],
        deleted=deleted,
    )
    db.session.commit()


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
    require_meeting_begun(minutes, now, signing=True)
    current = minutes.current
    if version_number is not None and version_number != current.number:
        raise Conflict(_("Version %(n)s is not the agreed version.", n=version_number), "version")
    if sha256_of(current.text) != current.sha256:
        # The stored text no longer matches the hash written with it.
        raise Conflict(_("The text of the agreed version does not match its SHA-256."))
    minutes.status = MinutesStatus.SIGNED
    # The text and the decisions of the signed version (rules.content_sha256).
    minutes.signed_sha256 = content_sha256(current)
    minutes.signed_by_id = user.id
    minutes.signed_at = now
    minutes.signed_record, minutes.signed_record_sha256 = record.freeze(minutes, user, now)
    audit.record(
        actor,
        "minutes.sign",
        minutes,
        version=current.number,
        sha256=minutes.signed_sha256,
        text_sha256=current.sha256,
        record_sha256=minutes.signed_record_sha256,
    )
    db.session.commit()
