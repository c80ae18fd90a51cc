"""Agreement of the member states: positions, silence, "agreed".

A participating state's head of delegation records agree / reservation on the
current version; under a silence procedure, states still silent at the
deadline agree by silence; when every participating state agrees to the
current version, the minutes are agreed. ``settle`` is idempotent and runs
when minutes are read and from ``flask konsey settle-minutes``.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from konsey import audit
from konsey.errors import Conflict, ValidationError
from konsey.extensions import db
from konsey.minutes import participants, queries
from konsey.minutes.rules import MAX_RESERVATION, lock, normalise, require_status
from konsey.models import Minutes, MinutesPosition, MinutesStatus, PositionKind, User
from konsey.validation import check_text


def parse_position(value: str, field: str = "position") -> PositionKind:
    if value == PositionKind.AGREE.value:
        return PositionKind.AGREE
    if value == PositionKind.RESERVATION.value:
        return PositionKind.RESERVATION
    raise ValidationError(_("Choose agree or reservation."), field)


def record_position(
    actor: audit.Actor,
    minutes: Minutes,
    user: User,
    *,
    version_number: int | None,
    position: str,
    text: str = "",
    now: datetime,
    text_field: str = "text",
) -> MinutesPosition:
    """The head of delegation records their state's agree / reservation on the
    current version; it may change until the minutes are agreed. The minutes
    become agreed when this completes every participating state's agreement."""
    kind = parse_position(position)
    text = normalise(text)
    if kind == PositionKind.RESERVATION:
        if not text:
            raise ValidationError(_("Say what the reservation is."), text_field)
        check_text(text, text_field, max_length=MAX_RESERVATION)
    else:
        text = check_text(text, text_field, required=False, max_length=MAX_RESERVATION)
    lock(minutes)
    require_status(minutes, MinutesStatus.CIRCULATED)
    current = minutes.current
    if version_number is None:
        raise ValidationError(_("Say which version the position is on."), "version")
    if version_number != current.number:
        raise Conflict(
            _(
                "Version %(given)s is not the current version; the current version is "
                "%(current)d. Read it and record your position on it.",
                given=version_number,
                current=current.number,
            ),
            "version",
        )
    state = user.member_state
    participants.add_joiners(minutes, now=now, actor=actor)
    participating = {p.member_state_id for p in queries.participants_of(current)}
    if state is None or state.id not in participating:
        raise ValidationError(
            _("Only a participating member state records a position on these minutes.")
        )
    existing = queries.positions_on(current).get(state.id)
    old = existing.position.value if existing else None
    if existing is None:
        existing = MinutesPosition(version=current, member_state_id=state.id)
        db.session.add(existing)
    existing.position = kind
    existing.text = text
    existing.recorded_by_id = user.id
    existing.recorded_at = now
    audit.record(
        actor,
        "minutes.position",
        minutes,
        state=state.code,
        version=current.number,
        position=kind.value,
        previous=old,
    )
    db.session.flush()
    _agree_if_complete(minutes, now)
    db.session.commit()
    return existing


def _agree_if_complete(minutes: Minutes, now: datetime) -> bool:
    standing = queries.standing(minutes, with_details=False)
    if not standing.everyone_agrees:
        return False
    minutes.status = MinutesStatus.AGREED
    minutes.agreed_at = now
    audit.record(
        audit.SYSTEM,
        "minutes.agreed",
        minutes,
        version=minutes.current.number,
        states=[s.state.code for s in standing.states],
        by_silence=[s.state.code for s in standing.states if s.kind == PositionKind.SILENCE],
    )
    return True


def _silent_states(minutes: Minutes, now: datetime) -> list:
    """Participating states with no position on the current version, once the
    deadline of a silence procedure has passed."""
    if not (
        minutes.silence_procedure
        and minutes.comment_deadline is not None
        and minutes.comment_deadline <= now
        and minutes.current is not None
    ):
        return []
    standing = queries.standing(minutes, with_details=False)
    return [s.state for s in standing.states if s.position is None]


def _needs_settling(minutes: Minutes, now: datetime) -> bool:
    if minutes.status != MinutesStatus.CIRCULATED or minutes.current is None:
        return False
    if queries.joiners(minutes) or _silent_states(minutes, now):
        return True
    return queries.standing(minutes, with_details=False).everyone_agrees


def settle(minutes: Minutes, now: datetime, actor: audit.Actor = audit.SYSTEM) -> bool:
    """Bring a circulated record up to date; idempotent, safe to run anytime.

    States that gained a delegation since the version was circulated join
    its count. Under a silence procedure, once the deadline has passed, every
    participating state with no position on the current version is recorded
    as agreeing by silence (a reservation raised before then stands: it broke
    the silence). Then, if every participating state agrees to the current
    version, the minutes become agreed. Returns whether anything changed.
    """
    if not _needs_settling(minutes, now):
        return False
    try:
        lock(minutes)
        if not _needs_settling(minutes, now):
            return False
        current = minutes.current
        participants.add_joiners(minutes, now=now, actor=actor)
        for state in _silent_states(minutes, now):
            db.session.add(
                MinutesPosition(
                    version=current,
                    member_state_id=state.id,
                    position=PositionKind.SILENCE,
                    text="",
                    recorded_by_id=None,
                    recorded_at=minutes.comment_deadline,
                )
            )
            audit.record(
                actor,
                "minutes.silence",
                minutes,
                state=state.code,
                version=current.number,
                deadline=minutes.comment_deadline.isoformat(),
            )
        db.session.flush()
        _agree_if_complete(minutes, now)
        db.session.commit()
    except IntegrityError:
        # Another process settled the same record first: its result stands.
        db.session.rollback()
        return False
    return True


def settle_all(now: datetime) -> int:
    """Settle every circulated record (the periodic worker's job)."""
    changed = 0
    for minutes_id in queries.circulated_minutes_ids():
        minutes = db.session.get(Minutes, minutes_id)
        if minutes is not None and settle(minutes, now):
            changed += 1
    return changed
