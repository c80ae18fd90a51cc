"""Who must agree: the member states fixed with each circulated version.

When a version is circulated (or written while the record is circulated),
the states taking part are recorded with it: those of the previous version
and every state with a delegation in the group now. A state that gains a
delegation later, while the version is circulated, is added ("joined").
Nothing here ever removes a state: a roster change, a deactivated account
or a head made observer leaves the state in the count, its position (or
its reservation) standing until the state itself records another.
"""

from __future__ import annotations

from datetime import datetime

from konsey import audit
from konsey.extensions import db
from konsey.minutes import queries
from konsey.models import (
    Minutes,
    MinutesParticipant,
    MinutesStatus,
    MinutesVersion,
    ParticipationReason,
)


def _add(version: MinutesVersion, states, reason, now) -> list:
    if version.id is None:
        db.session.flush()
    for state in states:
        db.session.add(
            MinutesParticipant(
                version_id=version.id, member_state_id=state.id, reason=reason, added_at=now
            )
        )
    db.session.flush()
    return list(states)


def fix_for_version(minutes: Minutes, version: MinutesVersion, *, now: datetime) -> list[str]:
    """Record the states whose agreement ``version`` needs, as it is circulated:
    the previous version's (none leaves) and today's delegations. Returns the
    codes of every state the version counts (for the caller's audit event)."""
    wanted = {s.id: s for s in queries.participating_states(minutes.meeting.group)}
    previous = [v for v in minutes.versions if v.number < version.number]
    if previous:
        for p in queries.participants_of(previous[-1]):
            wanted.setdefault(p.member_state_id, p.member_state)
    have = {p.member_state_id for p in queries.participants_of(version)}
    new = sorted((s for i, s in wanted.items() if i not in have), key=lambda s: s.code)
    _add(version, new, ParticipationReason.CIRCULATED, now)
    return sorted({p.member_state.code for p in queries.participants_of(version)})


def add_joiners(minutes: Minutes, *, now: datetime, actor: audit.Actor = audit.SYSTEM) -> list:
    """States that gained a delegation while the current version is circulated
    join its count (call under the record's lock)."""
    if minutes.status != MinutesStatus.CIRCULATED or minutes.current is None:
        return []
    joiners = queries.joiners(minutes)
    if joiners:
        _add(minutes.current, joiners, ParticipationReason.JOINED, now)
        audit.record(
            actor,
            "minutes.participant_join",
            minutes,
            version=minutes.current.number,
            states=sorted(s.code for s in joiners),
        )
    return joiners
